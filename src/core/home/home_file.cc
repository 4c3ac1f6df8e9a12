#include "core/home/home_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/base/unique_fd.h"
#include "core/fs/atomic_file.h"
#include "core/fs/home_reader.h"

namespace home {
namespace {

constexpr mode_t kFileMode = 0644;

// CheckHomePath, with .spoon/ allowed: these are the package's own files.
Error CheckOwnPath(std::string_view rel_path, const HomeOptions& options, std::string* normalized) {
  Error e = CheckHomePath(rel_path, options.container_home, normalized);
  if (e.code == "ERR_RESERVED_PATH") return {};
  return e;
}

Error OpenParent(const std::string& home_dir, std::string_view rel_path, const HomeOptions& options,
                 bool create_missing, HomeRoot::Parent* parent) {
  std::string normalized;
  if (Error e = CheckOwnPath(rel_path, options, &normalized)) return e;
  HomeRoot root;
  if (Error e = HomeRoot::Open(home_dir, options, &root)) return e;
  Error e = root.ResolveParent(normalized, create_missing, parent);
  if (e) e.path = std::string(rel_path);
  return e;
}

}  // namespace

Error MakeHomeDirectory(const std::string& home_dir) {
  if (home_dir.empty() || home_dir[0] != '/') return MakeError("ERR_HOME_INVALID", "the home must be an absolute path", home_dir);
  // The home itself first: it exists on every run but the first (one mkdir, one stat). Only when
  // something on the way is missing or not a directory are the prefixes walked, shortest first.
  const auto make = [](const std::string& dir) -> Error {
    if (::mkdir(dir.c_str(), HomeRoot::kDirMode) == 0) return {};
    const int err = errno;
    struct stat st;
    if (err != EEXIST) return SysError("ERR_HOME_INVALID", "mkdir", err, dir, "cannot create the home");
    if (::stat(dir.c_str(), &st) != 0) return SysError("ERR_HOME_INVALID", "stat", errno, dir, "cannot create the home");
    if (!S_ISDIR(st.st_mode)) return SysError("ERR_HOME_INVALID", "mkdir", ENOTDIR, dir, "cannot create the home");
    return {};
  };
  // A missing parent (ENOENT) is made; a file where a parent should be (ENOTDIR) is named.
  Error e = make(home_dir);
  if (!e || (e.sys_errno != ENOENT && e.sys_errno != ENOTDIR)) return e;
  for (size_t end = home_dir.find('/', 1);; end = home_dir.find('/', end + 1)) {
    const std::string prefix = home_dir.substr(0, end);
    if (prefix.back() != '/') {
      if (Error failed = make(prefix)) return failed;
    }
    if (end == std::string::npos) return {};
  }
}

Error CreateFileIfMissing(const std::string& home_dir, std::string_view rel_path, std::string_view content,
                          const HomeOptions& options, bool* created) {
  *created = false;
  HomeRoot::Parent parent;
  if (Error e = OpenParent(home_dir, rel_path, options, true, &parent)) return e;
  // The common case (already there) costs one fstatat and no temporary file.
  struct stat st;
  if (::fstatat(parent.dir.get(), parent.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return {};
  if (errno != ENOENT) return SysError("ERR_WRITE_FAILED", "fstatat", errno, std::string(rel_path), "cannot inspect");
  FileAttributes attributes{kFileMode, options.uid, options.gid};
  return WriteFileAtomically(parent.dir.get(), parent.name, content, attributes, ExistingName::kKeep, false,
                             std::string(rel_path), created);
}

Error ReadSmallFile(const std::string& home_dir, std::string_view rel_path, size_t max_bytes,
                    const HomeOptions& options, std::optional<std::string>* out) {
  out->reset();
  const std::string path(rel_path);
  HomeRoot::Parent parent;
  if (Error e = OpenParent(home_dir, rel_path, options, false, &parent)) {
    if (e.sys_errno == ENOENT && e.code == "ERR_NOT_DIRECTORY") return {};  // a missing directory
    return e;
  }
  // A symlink, a fifo, a directory read as absent; the read itself is the readers' (fs/home_reader).
  EntryInfo entry;
  if (Error e = ReadRegularFileAt(parent.dir.get(), parent.name, max_bytes, path, &entry, out)) return e;
  if (entry.kind == EntryKind::kFile && entry.size > max_bytes) {
    return MakeError("ERR_FILE_TOO_LARGE", "larger than " + std::to_string(max_bytes) + " bytes", path);
  }
  return {};
}

Error WriteFileDurable(const std::string& home_dir, std::string_view rel_path, std::string_view content,
                       const HomeOptions& options) {
  HomeRoot::Parent parent;
  if (Error e = OpenParent(home_dir, rel_path, options, true, &parent)) return e;
  struct stat st;
  if (::fstatat(parent.dir.get(), parent.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
    return MakeError("ERR_IS_DIRECTORY", "a directory is in the way (left as it is)", std::string(rel_path));
  }
  FileAttributes attributes{kFileMode, options.uid, options.gid};
  return WriteFileAtomically(parent.dir.get(), parent.name, content, attributes, ExistingName::kReplace, true,
                             std::string(rel_path));
}

}  // namespace home
