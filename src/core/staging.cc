#include "core/staging.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace home {
namespace {

// Only we may enter the staging area: a clone in flight is writable by path.
constexpr mode_t kPrivateDirMode = 0700;
// The checkout's own root becomes ~/.dotfiles, which `git clone` would create 0755. It is private
// enough while it waits: the staging area around it is 0700.
constexpr mode_t kCheckoutDirMode = 0755;
// 64 random bits per name: a collision is retried, and this many retries never all collide.
constexpr int kNameAttempts = 16;

Error CheckPrivateDir(int fd, const std::string& shown_path, const char* code) {
  struct stat st;
  if (fstat(fd, &st) != 0) return SysError(code, "fstat", errno, shown_path, "staging directory");
  if (!S_ISDIR(st.st_mode)) return MakeError(code, "staging path is not a directory", shown_path);
  if (st.st_uid != geteuid()) {
    return MakeError(code, "staging directory is owned by uid " + std::to_string(st.st_uid) +
                               ", not by this process (" + std::to_string(geteuid()) + ")",
                     shown_path);
  }
  if ((st.st_mode & 077) != 0 && fchmod(fd, kPrivateDirMode) != 0) {
    return SysError(code, "fchmod", errno, shown_path, "making the staging directory private");
  }
  return {};
}

Error OpenDirNoFollow(int at_fd, const std::string& name, const std::string& shown_path, const char* code,
                      UniqueFd* out) {
  if (mkdirat(at_fd, name.c_str(), kPrivateDirMode) != 0 && errno != EEXIST) {
    return SysError(code, "mkdir", errno, shown_path, "creating the staging directory");
  }
  // O_NOFOLLOW: a symlink planted at the staging path fails here with ELOOP.
  UniqueFd fd(openat(at_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    return SysError(code, "open", err, shown_path,
                    err == ELOOP ? "the staging directory is a symlink" : "opening the staging directory");
  }
  if (Error e = CheckPrivateDir(fd.get(), shown_path, code)) return e;
  *out = std::move(fd);
  return {};
}

}  // namespace

Error OpenStagingDir(const std::string& path, const char* code_for_caller, UniqueFd* out) {
  if (path.empty() || path[0] != '/') {
    return MakeError(code_for_caller, "the staging directory must be an absolute path", path);
  }
  return OpenDirNoFollow(AT_FDCWD, path, path, code_for_caller, out);
}

Error OpenPrivateSubdir(int parent_fd, const std::string& name, const std::string& shown_path,
                        const char* code_for_caller, UniqueFd* out) {
  return OpenDirNoFollow(parent_fd, name, shown_path, code_for_caller, out);
}

Error MakeCloneDir(int staging_fd, const std::string& staging_path, std::string* name) {
  for (int attempt = 0; attempt < kNameAttempts; ++attempt) {
    unsigned long long bits = 0;
    if (getrandom(&bits, sizeof bits, 0) != static_cast<ssize_t>(sizeof bits)) {
      return SysError("ERR_CLONE_FAILED", "getrandom", errno, staging_path, "naming the clone directory");
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "clone-%016llx", bits);
    if (mkdirat(staging_fd, buf, kCheckoutDirMode) == 0) {
      *name = buf;
      // Exactly 0755 whatever the umask; the fresh directory cannot be a symlink yet.
      if (fchmodat(staging_fd, buf, kCheckoutDirMode, 0) != 0) {
        return SysError("ERR_CLONE_FAILED", "chmod", errno, staging_path + "/" + buf, "setting the clone directory's mode");
      }
      return {};
    }
    if (errno != EEXIST) {
      return SysError("ERR_CLONE_FAILED", "mkdir", errno, staging_path + "/" + buf, "creating the clone directory");
    }
  }
  return MakeError("ERR_CLONE_FAILED", "could not name a clone directory", staging_path);
}

}  // namespace home
