#include "core/home/clone_swap.h"

#include <fcntl.h>
#include <linux/fs.h>  // RENAME_EXCHANGE, RENAME_NOREPLACE
#include <stdio.h>     // renameat2 (glibc >= 2.28)
#include <sys/stat.h>

#include <cerrno>

#include "core/fs/tree_chown.h"
#include "core/fs/tree_remove.h"
#include "core/git/url_policy.h"
#include "core/home/home_file.h"
#include "core/home/staging.h"

namespace home {
namespace {

Error SwapIn(int staging_fd, const std::string& staged, const HomeRoot::Parent& target, const std::string& shown) {
  // Nothing there: a plain rename that cannot replace what might appear in the meantime.
  if (renameat2(staging_fd, staged.c_str(), target.dir.get(), target.name.c_str(), RENAME_NOREPLACE) == 0) {
    return {};
  }
  if (errno != EEXIST) {
    if (errno == EXDEV) {
      return MakeError("ERR_CLONE_FAILED", "the staging directory must be on the home's filesystem", shown);
    }
    return SysError("ERR_CLONE_FAILED", "renameat2", errno, shown, "moving the clone into the home");
  }
  // Something is there (a directory, a symlink, a file, anything): swap it out atomically; it
  // lands in the staging area under the clone's name, where it is removed without following
  // any symlink. The home never lacks `into`, not even for an instant.
  if (renameat2(staging_fd, staged.c_str(), target.dir.get(), target.name.c_str(), RENAME_EXCHANGE) != 0) {
    return SysError("ERR_CLONE_FAILED", "renameat2", errno, shown, "swapping the clone into the home");
  }
  return {};
}

}  // namespace

Error CloneIntoHome(const CloneRequest& request, const CancelFlag& cancel, const CloneProgressFn& on_progress,
                    CloneResult* result) {
  // One budget for every phase from here to the swap: the deadline and the abort hold in each.
  CloneBudget budget(LimitsOf(request.spec), cancel, RedactUrl(request.spec.url));
  // Check what we can before any network traffic: the destination path, the home, the staging.
  std::string normalized;
  if (Error e = CheckHomePath(request.into, request.home.container_home, &normalized)) return e;
  HomeRoot root;
  if (Error e = HomeRoot::Open(request.home_dir, request.home, &root)) return e;
  UniqueFd staging;
  if (Error e = OpenStagingDir(request.staging_dir, "ERR_CLONE_FAILED", &staging)) return e;
  SweepStaleCloneDirs(staging.get());
  std::unique_ptr<StagedDir> staged;
  if (Error e = StagedDir::Create(staging.get(), request.staging_dir, &staged)) return e;
  const std::string& name = staged->name();

  if (Error e = CloneInto(request.staging_dir + "/" + name, request.spec, &budget, on_progress, result)) return e;
  if (request.home.uid || request.home.gid) {
    const uid_t uid = request.home.uid ? *request.home.uid : static_cast<uid_t>(-1);
    const gid_t gid = request.home.gid ? *request.home.gid : static_cast<gid_t>(-1);
    if (Error e = ChownTree(staging.get(), name, uid, gid, [&budget] { return budget.Check(); })) return e;
  }
  // Last chance to back out; after the rename the new tree is the user's.
  if (const Error& stop = budget.Check()) return stop;

  if (!request.invalidate_marker.empty()) {
    if (Error e = WriteFileDurable(request.home_dir, request.invalidate_marker, "", request.home)) return e;
  }
  HomeRoot::Parent target;
  if (Error e = root.ResolveParent(normalized, /*create_missing=*/true, &target)) return e;
  const std::string shown = request.home_dir + "/" + normalized;
  if (Error e = SwapIn(staging.get(), name, target, shown)) return e;
  // The staged name now holds the old tree after an exchange, nothing after a plain rename:
  // StagedDir's removal on the way out is exactly what is wanted either way. Should it fail, the
  // old tree stays as unclaimed debris in our private area for the next sweep; the clone itself
  // succeeded.
  return {};
}

}  // namespace home
