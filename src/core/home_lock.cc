#include "core/home_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "core/sha256.h"
#include "core/staging.h"

namespace home {
namespace {

constexpr const char* kLocksDir = "locks";
constexpr const char* kCode = "ERR_LOCK_FAILED";
// Polling: the first retry soon (a short materialization finishes in milliseconds), then backing
// off to a ceiling that keeps a long wait cheap while still noticing the release promptly.
constexpr auto kFirstWait = std::chrono::milliseconds(2);
constexpr auto kMaxWait = std::chrono::milliseconds(100);

}  // namespace

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
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  if (fcntl(fd.get(), F_OFD_SETLK, &lock) != 0) {
    if (errno == EAGAIN || errno == EACCES) return {};  // held by someone else
    return SysError(kCode, "fcntl", errno, locks_path + "/" + name, "locking the home");
  }
  *out = HomeLock(std::move(fd));
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
