#include "core/home/staging.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE (glibc >= 2.28)
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "core/base/task_threads.h"
#include "core/fs/ofd_lock.h"
#include "core/fs/tree_remove.h"

namespace home {
namespace {

// Only we may enter the staging area: a clone in flight is writable by path.
constexpr mode_t kPrivateDirMode = 0700;
// The checkout's own root becomes ~/.dotfiles, which `git clone` would create 0755. It is private
// enough while it waits: the staging area around it is 0700.
constexpr mode_t kCheckoutDirMode = 0755;
// 64 random bits per name: a collision is retried, and this many retries never all collide.
constexpr int kNameAttempts = 16;
constexpr const char* kClonePrefix = "clone-";
constexpr const char* kLockSuffix = ".lock";
// A claim is made under this name, locked, then renamed to `<clone>.lock`: a sweep that opened a
// claim in the instant between its creation and its lock would take it for a dead one.
constexpr const char* kClaimPrefix = ".claim-";
// How long removing a clone directory (a failed clone's partial checkout, the old tree after a
// swap) may hold up the clone's result, and a sweep the clone's start: tens of thousands of files
// on tmpfs. A clone must settle within its deadline and a second; what is left goes on in the
// background, or with the next sweep.
constexpr auto kForegroundRemoval = std::chrono::milliseconds(500);

using Clock = std::chrono::steady_clock;

RemovalPause PauseAfter(Clock::duration allowance) {
  const Clock::time_point until = Clock::now() + allowance;
  return [until] { return Clock::now() > until; };
}

// Finishes removing a clone directory on a home-io thread, its claim (the lock) held until the
// end, so that no sweep takes it meanwhile; a process that exits first leaves it, unclaimed, to
// the next sweep.
void RemoveInBackground(int staging_fd, const std::string& name, UniqueFd lock) {
  auto staging = std::make_shared<UniqueFd>(fcntl(staging_fd, F_DUPFD_CLOEXEC, 0));
  auto claim = std::make_shared<UniqueFd>(std::move(lock));
  if (!*staging) return;  // no descriptor to spare: the claim goes, the next sweep removes it
  TaskThreads::HomeIo().Submit([staging, claim, name] {
    if (RemoveTree(staging->get(), name).ok()) unlinkat(staging->get(), (name + kLockSuffix).c_str(), 0);
  });
}

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

Error StagedDir::Create(int staging_fd, const std::string& staging_path, std::unique_ptr<StagedDir>* out) {
  for (int attempt = 0; attempt < kNameAttempts; ++attempt) {
    unsigned long long bits = 0;
    if (getrandom(&bits, sizeof bits, 0) != static_cast<ssize_t>(sizeof bits)) {
      return SysError("ERR_CLONE_FAILED", "getrandom", errno, staging_path, "naming the clone directory");
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%016llx", kClonePrefix, bits);
    const std::string name = buf;
    const std::string lock_name = name + kLockSuffix;
    // The claim first, so that no sweep can ever see the directory unclaimed; and locked before
    // it has its name, so that no sweep can ever see the claim unlocked.
    const std::string claim_name = kClaimPrefix + name.substr(std::strlen(kClonePrefix));
    UniqueFd lock(openat(staging_fd, claim_name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!lock) {
      if (errno == EEXIST) continue;
      return SysError("ERR_CLONE_FAILED", "open", errno, staging_path + "/" + claim_name, "claiming a clone directory");
    }
    if (TryOfdLock(lock.get()) != 1) {
      const int err = errno;
      // A sweep caught the fresh claim before our lock and holds it to remove it: try another name.
      if (err == EAGAIN || err == EACCES) continue;
      unlinkat(staging_fd, claim_name.c_str(), 0);
      return SysError("ERR_CLONE_FAILED", "fcntl", err, staging_path + "/" + claim_name, "claiming a clone directory");
    }
    int named = renameat2(staging_fd, claim_name.c_str(), staging_fd, lock_name.c_str(), RENAME_NOREPLACE);
    if (named != 0 && errno == EINVAL) {
      // A filesystem without RENAME_NOREPLACE: linkat refuses an existing name as well.
      named = linkat(staging_fd, claim_name.c_str(), staging_fd, lock_name.c_str(), 0);
      if (named == 0) unlinkat(staging_fd, claim_name.c_str(), 0);
    }
    if (named != 0) {
      const int err = errno;
      unlinkat(staging_fd, claim_name.c_str(), 0);
      // EEXIST: the name is taken; ENOENT: a sweep removed the claim before our lock. Either way, another name.
      if (err == EEXIST || err == ENOENT) continue;
      return SysError("ERR_CLONE_FAILED", "rename", err, staging_path + "/" + lock_name, "claiming a clone directory");
    }
    if (mkdirat(staging_fd, name.c_str(), kCheckoutDirMode) != 0) {
      const int err = errno;
      unlinkat(staging_fd, lock_name.c_str(), 0);
      if (err == EEXIST) continue;
      return SysError("ERR_CLONE_FAILED", "mkdir", err, staging_path + "/" + name, "creating the clone directory");
    }
    *out = std::make_unique<StagedDir>(Key{}, staging_fd, name, std::move(lock));
    // Exactly 0755 whatever the umask; the fresh directory cannot be a symlink yet. From here on
    // `out` owns the directory and removes it on failure.
    if (fchmodat(staging_fd, name.c_str(), kCheckoutDirMode, 0) != 0) {
      const int err = errno;
      out->reset();
      return SysError("ERR_CLONE_FAILED", "chmod", err, staging_path + "/" + name, "setting the clone directory's mode");
    }
    return {};
  }
  return MakeError("ERR_CLONE_FAILED", "could not name a clone directory", staging_path);
}

StagedDir::~StagedDir() {
  // Best effort: a failure here must not mask the clone's own result. What remains stays
  // claimed by nobody and goes with the next sweep.
  bool paused = false;
  (void)RemoveTree(staging_fd_, name_, PauseAfter(kForegroundRemoval), &paused);
  if (paused) {
    RemoveInBackground(staging_fd_, name_, std::move(lock_));
  } else {
    unlinkat(staging_fd_, (name_ + kLockSuffix).c_str(), 0);
  }
}

void SweepStaleCloneDirs(int staging_fd, long grace_seconds) {
  // Collect first: removing while readdir walks the same directory may skip entries.
  std::vector<std::string> names;
  std::vector<std::string> claims;
  {
    UniqueFd for_dir(openat(staging_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!for_dir) return;
    std::unique_ptr<DIR, int (*)(DIR*)> dir(fdopendir(for_dir.get()), closedir);
    if (!dir) return;
    for_dir.release();
    while (dirent* entry = readdir(dir.get())) {
      const std::string name = entry->d_name;
      if (name.compare(0, std::strlen(kClaimPrefix), kClaimPrefix) == 0) {
        claims.push_back(name);
        continue;
      }
      if (name.compare(0, std::strlen(kClonePrefix), kClonePrefix) != 0) continue;
      const size_t suffix = std::strlen(kLockSuffix);
      const bool is_lock = name.size() > suffix && name.compare(name.size() - suffix, suffix, kLockSuffix) == 0;
      names.push_back(is_lock ? name.substr(0, name.size() - suffix) : name);
    }
  }
  // A claim left by a process that died before naming it: nobody holds its lock.
  for (const std::string& claim : claims) {
    UniqueFd fd(openat(staging_fd, claim.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (fd && TryOfdLock(fd.get()) == 1) unlinkat(staging_fd, claim.c_str(), 0);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  const time_t now = time(nullptr);
  const RemovalPause pause = PauseAfter(kForegroundRemoval);
  for (const std::string& name : names) {
    if (pause()) return;  // the rest waits for the next sweep
    const std::string lock_name = name + kLockSuffix;
    UniqueFd lock(openat(staging_fd, lock_name.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (lock) {
      if (TryOfdLock(lock.get()) != 1) continue;  // in use, or unknowable: leave it
    } else {
      struct stat st;
      if (errno != ENOENT || fstatat(staging_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
          now - st.st_ctime < grace_seconds) {
        continue;
      }
    }
    bool paused = false;
    if (RemoveTree(staging_fd, name, pause, &paused).ok() && !paused && lock) unlinkat(staging_fd, lock_name.c_str(), 0);
  }
}

}  // namespace home
