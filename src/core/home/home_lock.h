// One materialization per home at a time. The lock is an open-file-description lock
// (fcntl F_OFD_SETLK) on a file in the staging area, <staging>/locks/<sha256(home path)>.lock:
// not in the home, where the user could hold, replace or delete it. OFD locks belong to the open
// file, not the process, so they exclude threads of one process as well as other processes, and
// they work over NFS (v4 locks). Closing the descriptor releases the lock, also when the process
// dies.
#pragma once

#include <string>

#include "core/base/cancel.h"
#include "core/base/error.h"
#include "core/base/unique_fd.h"

namespace home {

class HomeLock {
 public:
  HomeLock() = default;
  // Takes a locked lock file; `recovered`: its previous holder died holding it (see below).
  HomeLock(UniqueFd fd, bool recovered) : fd_(std::move(fd)), recovered_(recovered) {}
  HomeLock(HomeLock&& other) noexcept = default;
  HomeLock& operator=(HomeLock&& other) noexcept {
    if (this != &other) {
      Release();
      fd_ = std::move(other.fd_);
      recovered_ = other.recovered_;
    }
    return *this;
  }
  ~HomeLock() { Release(); }

  bool held() const { return fd_.valid(); }
  // Whether the previous holder never released the lock: it died (SIGKILL, OOM, a power cut)
  // in the middle of a materialization, which may have left temporary files in the home and
  // clone debris in the staging area for the new holder to sweep. The lock file's first byte
  // says it: '1' while held, '0' once released; the kernel drops a dead holder's lock but
  // cannot write the '0'.
  bool recovered() const { return recovered_; }
  // Idempotent.
  void Release();

 private:
  UniqueFd fd_;
  bool recovered_ = false;
};

// One attempt, never waits: `*acquired` false when another holder has it. ERR_LOCK_FAILED when
// the staging area or the lock file cannot be used.
Error TryLockHome(const std::string& staging_dir, const std::string& home_dir, HomeLock* out, bool* acquired);

// Waits for the lock, polling with backoff, until it is acquired or `cancel` fires (ERR_ABORTED).
Error LockHome(const std::string& staging_dir, const std::string& home_dir, const CancelFlag& cancel,
               HomeLock* out);

}  // namespace home
