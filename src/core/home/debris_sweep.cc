#include "core/home/debris_sweep.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <set>

#include "core/base/unique_fd.h"
#include "core/fs/atomic_file.h"
#include "core/home/staging.h"

namespace home {
namespace {

// The temporary names in the directory behind `dir_fd` (an O_PATH descriptor is fine).
std::vector<std::string> TempNamesIn(int dir_fd) {
  std::vector<std::string> names;
  UniqueFd listing(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!listing) return names;
  std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(listing.get()), ::closedir);
  if (!dir) return names;
  listing.release();  // the DIR owns it now
  while (dirent* entry = ::readdir(dir.get())) {
    if (IsTempName(entry->d_name)) names.emplace_back(entry->d_name);
  }
  return names;
}

}  // namespace

Error SweepDebris(const std::string& home_dir, const std::string& staging_dir,
                  const std::vector<std::string>& overlay_paths, const HomeOptions& options, SweepResult* result) {
  *result = SweepResult{};
  HomeRoot root;
  if (Error e = HomeRoot::Open(home_dir, options, &root)) return e;

  std::set<std::string> dirs = {"", ".spoon"};
  for (const std::string& path : overlay_paths) {
    std::string normalized;
    Error e = CheckHomePath(path, options.container_home, &normalized);
    if (e && e.code != "ERR_RESERVED_PATH") continue;
    const size_t slash = normalized.rfind('/');
    dirs.insert(slash == std::string::npos ? std::string() : normalized.substr(0, slash));
  }
  for (const std::string& dir : dirs) {
    UniqueFd found;
    if (root.ResolveDirectory(dir, /*create_missing=*/false, &found)) continue;
    for (const std::string& name : TempNamesIn(found.get())) {
      if (::unlinkat(found.get(), name.c_str(), 0) == 0) ++result->temp_files;
    }
  }

  UniqueFd staging;
  if (!OpenStagingDir(staging_dir, "ERR_CLONE_FAILED", &staging)) SweepStaleCloneDirs(staging.get());
  return {};
}

}  // namespace home
