// RemoveTree: an iterative, descriptor-relative rm -rf that never follows a symlink.
//
// Each directory is opened O_NOFOLLOW relative to its parent's descriptor and read with
// fdopendir; entries are removed with unlinkat relative to the directory's own descriptor. A
// symlink is always an entry to unlink, never a directory to enter. The walk keeps an explicit
// stack (no recursion), and holds at most kMaxHeldDirs directory descriptors: deeper ancestors
// are closed and reopened through ".." on the way back up, checked by device and inode, so a
// tree deeper than the descriptor limit is still removed and a moved directory is never mistaken
// for the one we left.
#include "core/fs/tree_remove.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/base/unique_fd.h"

namespace home {
namespace {

// Well under the usual soft RLIMIT_NOFILE of 1024, leaving room for the rest of the process.
constexpr size_t kMaxHeldDirs = 128;
// A directory that is still not empty after we removed everything we listed got new entries
// meanwhile (the user is writing into it); list it again a few times, then give up.
constexpr int kMaxRescans = 3;
// Entries between two questions to the caller's pause: a few hundred unlinks take well under a
// millisecond.
constexpr unsigned kPauseEvery = 256;

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

struct Frame {
  DirPtr dir;        // null while closed to save descriptors
  std::string name;  // name in the parent frame (or in parent_fd for the bottom frame)
  dev_t dev = 0;
  ino_t ino = 0;
  int rescans = 0;
};

Error RemoveError(const char* syscall, int err, const std::string& name, const std::string& what) {
  return SysError("ERR_REMOVE_FAILED", syscall, err, name, what);
}

// Opens a directory for listing and removal: O_NOFOLLOW, and u+rwx so its entries can be
// listed and unlinked even when the user made it read-only. A directory without read
// permission (we are not always root) is opened O_PATH and its mode set through /proc.
// ENOTDIR/ELOOP: not a directory (any more); the caller unlinks it as a file.
Error OpenForRemoval(int parent, const std::string& name, const std::string& top, Frame* frame, int* not_dir_errno) {
  *not_dir_errno = 0;
  UniqueFd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd && errno == EACCES) {
    UniqueFd path_fd(::openat(parent, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (path_fd && ::fstat(path_fd.get(), &st) == 0) {
      char proc[64];
      std::snprintf(proc, sizeof proc, "/proc/self/fd/%d", path_fd.get());
      // The magic link names the very directory we hold: no path race.
      if (::chmod(proc, (st.st_mode & 07777) | S_IRWXU) == 0) {
        fd.reset(::openat(path_fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      }
    }
    if (!fd) errno = EACCES;
  }
  if (!fd) {
    if (errno == ENOTDIR || errno == ELOOP || errno == ENOENT) {
      *not_dir_errno = errno;
      return {};
    }
    return RemoveError("openat", errno, top, "cannot open directory '" + name + "'");
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return RemoveError("fstat", errno, top, "cannot inspect '" + name + "'");
  if ((st.st_mode & S_IRWXU) != S_IRWXU) {
    // Failure (not the owner, not root) surfaces below as the EACCES of the unlink that needed it.
    (void)::fchmod(fd.get(), (st.st_mode & 07777) | S_IRWXU);
  }
  DirPtr dir(::fdopendir(fd.get()));
  if (!dir) return RemoveError("fdopendir", errno, top, "cannot list '" + name + "'");
  fd.release();  // the DIR owns it now
  frame->dir = std::move(dir);
  frame->name = name;
  frame->dev = st.st_dev;
  frame->ino = st.st_ino;
  return {};
}

// Reopens a closed ancestor from its child through "..", and checks that it is the directory we
// left (the user may have moved things while we were below).
Error Reopen(int child_fd, Frame* frame, const std::string& top) {
  UniqueFd fd(::openat(child_fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return RemoveError("openat", errno, top, "cannot reopen '" + frame->name + "'");
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return RemoveError("fstat", errno, top, "cannot inspect '" + frame->name + "'");
  if (st.st_dev != frame->dev || st.st_ino != frame->ino) {
    return RemoveError("openat", ESTALE, top, "directory '" + frame->name + "' was moved during removal");
  }
  DirPtr dir(::fdopendir(fd.get()));
  if (!dir) return RemoveError("fdopendir", errno, top, "cannot list '" + frame->name + "'");
  fd.release();
  frame->dir = std::move(dir);
  return {};
}

// `child` of `parent` turned out not to be a directory to enter (`not_dir`: ENOTDIR, ELOOP or
// ENOENT): unlinked, unless it is gone already.
Error UnlinkNonDirectory(int parent, const std::string& child, int not_dir, const std::string& top) {
  if (not_dir == ENOENT) return {};
  if (::unlinkat(parent, child.c_str(), 0) == 0 || errno == ENOENT) return {};
  return RemoveError("unlinkat", errno, top, "cannot remove '" + child + "'");
}

// One entry of the directory on top of the stack: anything but a directory is unlinked, a
// directory is entered (pushed), so the walk goes depth first holding a bounded set of them.
Error RemoveEntry(std::vector<Frame>* stack, const dirent& entry, const std::string& top) {
  const int fd = ::dirfd(stack->back().dir.get());
  const std::string child(entry.d_name);
  if (entry.d_type != DT_DIR && entry.d_type != DT_UNKNOWN) {
    if (::unlinkat(fd, child.c_str(), 0) == 0 || errno == ENOENT) return {};
    if (errno != EISDIR && errno != EPERM) return RemoveError("unlinkat", errno, top, "cannot remove '" + child + "'");
  }
  // A directory, or not known yet: try to enter it.
  Frame next;
  int not_dir = 0;
  if (Error e = OpenForRemoval(fd, child, top, &next, &not_dir)) return e;
  if (not_dir) return UnlinkNonDirectory(fd, child, not_dir, top);
  stack->push_back(std::move(next));
  if (stack->size() > kMaxHeldDirs) (*stack)[stack->size() - kMaxHeldDirs - 1].dir.reset();
  return {};
}

// The directory on top of the stack is listed to the end: removed from its parent (reopened
// first when it was closed to bound the descriptors held) and popped; one that filled up again
// meanwhile is listed again, a few times at most.
Error RemoveListed(std::vector<Frame>* stack, int parent_fd, const std::string& top) {
  Frame& done = stack->back();
  int parent = parent_fd;
  if (stack->size() > 1) {
    Frame& up = (*stack)[stack->size() - 2];
    if (!up.dir) {
      if (Error e = Reopen(::dirfd(done.dir.get()), &up, top)) return e;
    }
    parent = ::dirfd(up.dir.get());
  }
  if (::unlinkat(parent, done.name.c_str(), AT_REMOVEDIR) == 0 || errno == ENOENT) {
    stack->pop_back();
    return {};
  }
  if ((errno == ENOTEMPTY || errno == EEXIST) && done.rescans < kMaxRescans) {
    ++done.rescans;
    ::rewinddir(done.dir.get());
    return {};
  }
  return RemoveError("unlinkat", errno, top, "cannot remove directory '" + done.name + "'");
}

bool IsDotOrDotDot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

}  // namespace

Error RemoveTree(int parent_fd, const std::string& name, const RemovalPause& pause, bool* paused) {
  if (paused != nullptr) *paused = false;
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    return RemoveError("unlinkat", EINVAL, name, "not a single name");
  }
  if (::unlinkat(parent_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM) {  // EPERM: what Linux answers for unlink(directory)
    return RemoveError("unlinkat", errno, name, "cannot remove");
  }

  std::vector<Frame> stack;
  {
    Frame bottom;
    int not_dir = 0;
    if (Error e = OpenForRemoval(parent_fd, name, name, &bottom, &not_dir)) return e;
    if (not_dir) return UnlinkNonDirectory(parent_fd, name, not_dir, name);
    stack.push_back(std::move(bottom));
  }

  unsigned visited = 0;
  while (!stack.empty()) {
    if (pause && ++visited % kPauseEvery == 0 && pause()) {
      if (paused != nullptr) *paused = true;
      return {};
    }
    errno = 0;
    const dirent* entry = ::readdir(stack.back().dir.get());
    if (entry != nullptr) {
      if (IsDotOrDotDot(entry->d_name)) continue;
      if (Error e = RemoveEntry(&stack, *entry, name)) return e;
      continue;
    }
    if (errno != 0) return RemoveError("readdir", errno, name, "cannot list '" + stack.back().name + "'");
    if (Error e = RemoveListed(&stack, parent_fd, name)) return e;
  }
  return {};
}

}  // namespace home
