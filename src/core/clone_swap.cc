#include "core/clone_swap.h"

#include <fcntl.h>
#include <linux/fs.h>  // RENAME_EXCHANGE, RENAME_NOREPLACE
#include <stdio.h>     // renameat2 (glibc >= 2.28)
#include <sys/stat.h>

#include <cerrno>

#include "core/staging.h"
#include "core/tree_chown.h"
#include "core/tree_remove.h"

namespace home {
namespace {

// Removes a clone directory from the staging area when the clone does not make it into the
// home, on every path out.
class StagedTree {
 public:
  StagedTree(int staging_fd, std::string name) : staging_fd_(staging_fd), name_(std::move(name)) {}
  StagedTree(const StagedTree&) = delete;
  StagedTree& operator=(const StagedTree&) = delete;
  ~StagedTree() {
    // Best effort: a failure here must not mask the clone's own error. What remains is named
    // clone-* in a directory only we can enter, and harmless.
    if (!name_.empty()) (void)RemoveTree(staging_fd_, name_);
  }
  const std::string& name() const { return name_; }

 private:
  int staging_fd_;
  std::string name_;
};

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
  // Check what we can before any network traffic: the destination path, the home, the staging.
  std::string normalized;
  if (Error e = CheckHomePath(request.into, request.home.container_home, &normalized)) return e;
  HomeRoot root;
  if (Error e = HomeRoot::Open(request.home_dir, request.home, &root)) return e;
  UniqueFd staging;
  if (Error e = OpenStagingDir(request.staging_dir, "ERR_CLONE_FAILED", &staging)) return e;
  std::string name;
  if (Error e = MakeCloneDir(staging.get(), request.staging_dir, &name)) return e;
  StagedTree staged(staging.get(), name);

  if (Error e = CloneInto(request.staging_dir + "/" + name, request.spec, cancel, on_progress, result)) return e;
  if (request.home.uid || request.home.gid) {
    const uid_t uid = request.home.uid ? *request.home.uid : static_cast<uid_t>(-1);
    const gid_t gid = request.home.gid ? *request.home.gid : static_cast<gid_t>(-1);
    if (Error e = ChownTree(staging.get(), name, uid, gid)) return e;
  }
  // Last chance to back out; after the rename the new tree is the user's.
  if (cancel.cancelled()) return MakeError("ERR_ABORTED", "the clone was aborted", request.home_dir);

  HomeRoot::Parent target;
  if (Error e = root.ResolveParent(normalized, /*create_missing=*/true, &target)) return e;
  const std::string shown = request.home_dir + "/" + normalized;
  if (Error e = SwapIn(staging.get(), name, target, shown)) return e;
  // The staged name now holds the old tree after an exchange, nothing after a plain rename:
  // StagedTree's removal on the way out is exactly what is wanted either way. Should it fail, the
  // old tree stays as clone-* debris in our private area; the clone itself succeeded.
  return {};
}

}  // namespace home
