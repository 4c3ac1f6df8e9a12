#include "core/home/home_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "core/base/sha256.h"
#include "core/fs/ofd_lock.h"
#include "core/home/staging.h"

namespace home {
namespace {

constexpr const char* kLocksDir = "locks";
constexpr const char* kCode = "ERR_LOCK_FAILED";
// Polling: the first retry soon (a short materialization finishes in milliseconds), then backing
// off to a ceiling that keeps a long wait cheap while still noticing the release promptly.
constexpr auto kFirstWait = std::chrono::milliseconds(2);
constexpr auto kMaxWait = std::chrono::milliseconds(100);
// The lock file's first byte: whether a holder is (or was, when it died) inside a
// materialization.
constexpr char kHeld = '1';
constexpr char kReleased = '0';

}  // namespace

void HomeLock::Release() {
  if (!fd_.valid()) return;
  // Best effort: should the write fail, the next holder merely sweeps for nothing.
  (void)pwrite(fd_.get(), &kReleased, 1, 0);
  fd_.reset();
}

Error TryLockHome(const std::string& staging_dir, const std::string& home_dir, HomeLock* out, bool* acquired) {
  *acquired = false;
  if (home_dir.empty() || home_dir[0] != '/') return MakeError(kCode, "the home must be an absolute path", home_dir);
  UniqueFd staging;
  if (Error e = OpenStagingDir(staging_dir, kCode, &staging)) return e;
  UniqueFd locks;
  const std::string locks_path = staging_dir + "/" + kLocksDir;
  if (Error e = OpenPrivateSubdir(staging.get(), kLocksDir, locks_path, kCode, &locks)) return e;
  // Named by a digest: any home path fits in one file name, and none can climb out.
  const std::string name = Sha256Hex(home_dir) + ".lock";
  UniqueFd fd(openat(locks.get(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return SysError(kCode, "open", errno, locks_path + "/" + name, "opening the home's lock file");
  const int locked = TryOfdLock(fd.get());
  if (locked == 0) return {};  // held by someone else
  if (locked < 0) return SysError(kCode, "fcntl", errno, locks_path + "/" + name, "locking the home");
  char state = kReleased;
  const bool recovered = pread(fd.get(), &state, 1, 0) == 1 && state == kHeld;
  if (pwrite(fd.get(), &kHeld, 1, 0) != 1) {
    return SysError(kCode, "pwrite", errno, locks_path + "/" + name, "marking the home's lock as held");
  }
  *out = HomeLock(std::move(fd), recovered);
  *acquired = true;
  return {};
}

Error LockHome(const std::string& staging_dir, const std::string& home_dir, const CancelFlag& cancel,
               HomeLock* out) {
  auto wait = kFirstWait;
  for (;;) {
    if (cancel.cancelled()) return MakeError("ERR_ABORTED", "waiting for the home's lock was aborted", home_dir);
    bool acquired = false;
    if (Error e = TryLockHome(staging_dir, home_dir, out, &acquired)) return e;
    if (acquired) return {};
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, std::chrono::duration_cast<decltype(wait)>(kMaxWait));
  }
}

}  // namespace home
