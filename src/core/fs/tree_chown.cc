#include "core/fs/tree_chown.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/base/unique_fd.h"

namespace home {
namespace {

// PATH_MAX (4096) allows at most 2048 nested components ("a/" each): a deeper tree cannot come
// out of a checkout, so deeper is a bug and stops the walk instead of exhausting descriptors.
constexpr int kMaxDepth = 2048;
// Entries between two calls of the caller's check (the clone's deadline and abort): a few hundred
// fchownat calls take well under a millisecond.
constexpr unsigned kCheckEvery = 256;

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};

struct Walk {
  uid_t uid;
  gid_t gid;
  const ChownCheck& check;
  unsigned entries = 0;

  Error Entry(int parent_fd, const char* name, int depth, const std::string& shown);
};

Error Walk::Entry(int parent_fd, const char* name, int depth, const std::string& shown) {
  if (depth > kMaxDepth) return MakeError("ERR_CLONE_FAILED", "checkout nested too deeply", shown);
  if (++entries % kCheckEvery == 0 && check) {
    if (Error e = check()) return e;
  }
  if (fchownat(parent_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return SysError("ERR_CLONE_FAILED", "fchownat", errno, shown, "setting the checkout's owner");
  }
  struct stat st;
  if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return SysError("ERR_CLONE_FAILED", "fstatat", errno, shown, "setting the checkout's owner");
  }
  if (!S_ISDIR(st.st_mode)) return {};
  UniqueFd fd(openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return SysError("ERR_CLONE_FAILED", "openat", errno, shown, "setting the checkout's owner");
  // fdopendir takes the descriptor over; keep our own for the *at calls.
  UniqueFd for_dir(dup(fd.get()));
  if (!for_dir) return SysError("ERR_CLONE_FAILED", "dup", errno, shown, "setting the checkout's owner");
  std::unique_ptr<DIR, DirCloser> dir(fdopendir(for_dir.get()));
  if (!dir) return SysError("ERR_CLONE_FAILED", "fdopendir", errno, shown, "setting the checkout's owner");
  for_dir.release();
  while (dirent* entry = readdir(dir.get())) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    if (Error e = Entry(fd.get(), entry->d_name, depth + 1, shown + "/" + entry->d_name)) return e;
  }
  return {};
}

}  // namespace

Error ChownTree(int parent_fd, const std::string& name, uid_t uid, gid_t gid, const ChownCheck& check) {
  Walk walk{uid, gid, check};
  return walk.Entry(parent_fd, name.c_str(), 0, name);
}

}  // namespace home
