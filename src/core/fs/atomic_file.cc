#include "core/fs/atomic_file.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE (glibc >= 2.28)
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "core/base/unique_fd.h"
#include "core/base/write_all.h"

namespace home {
namespace {

// 96 random bits: a name the user cannot plant in advance (they can see the directory, but not
// guess the next name), so O_EXCL collisions only come from planting by luck.
constexpr size_t kTempRandomBytes = 12;
// O_EXCL failing this many times in a row with fresh random names means something is wrong.
constexpr int kTempAttempts = 8;
// Random bytes drawn per getrandom call: one syscall serves many temporary names.
constexpr size_t kRandomPool = 4096;
constexpr std::string_view kTempPrefix = ".home-native-";
constexpr std::string_view kTempSuffix = ".tmp";

// Fixed length whatever the target's name ("." + 24 hex + suffix < NAME_MAX), so even a 255-byte
// target name gets a valid temporary name.
std::string TempName() {
  thread_local uint8_t pool[kRandomPool];
  thread_local size_t used = kRandomPool;
  if (used + kTempRandomBytes > kRandomPool) {
    size_t filled = 0;
    while (filled < kRandomPool) {
      ssize_t n = ::getrandom(pool + filled, kRandomPool - filled, 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::abort();  // the kernel's CSPRNG is gone: nothing safe to fall back to
      }
      filled += static_cast<size_t>(n);
    }
    used = 0;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string name(kTempPrefix);
  for (size_t i = 0; i < kTempRandomBytes; ++i) {
    name += kHex[pool[used + i] >> 4];
    name += kHex[pool[used + i] & 0xf];
  }
  used += kTempRandomBytes;
  name += kTempSuffix;
  return name;
}

Error WriteBytes(int fd, std::string_view bytes, const std::string& report_path) {
  if (WriteAll(fd, bytes.data(), bytes.size())) return {};
  return SysError("ERR_WRITE_FAILED", "write", errno, report_path, "cannot write");
}

Error FsyncDirectory(int dir_fd, const std::string& report_path) {
  // The walker's descriptors are O_PATH, which fsync refuses; "." through it is the same directory.
  UniqueFd dir(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return SysError("ERR_WRITE_FAILED", "openat", errno, report_path, "cannot open the directory to sync it");
  if (::fsync(dir.get()) != 0) {
    return SysError("ERR_WRITE_FAILED", "fsync", errno, report_path, "cannot sync the directory");
  }
  return {};
}

}  // namespace

bool IsTempName(std::string_view name) {
  if (name.size() != kTempPrefix.size() + 2 * kTempRandomBytes + kTempSuffix.size()) return false;
  if (name.substr(0, kTempPrefix.size()) != kTempPrefix || name.substr(name.size() - kTempSuffix.size()) != kTempSuffix) {
    return false;
  }
  for (char c : name.substr(kTempPrefix.size(), 2 * kTempRandomBytes)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Error WriteFileAtomically(int dir_fd, const std::string& name, std::string_view bytes, const FileAttributes& attributes,
                          ExistingName existing, bool durable, const std::string& report_path, bool* created) {
  if (created) *created = false;
  std::string temp;
  UniqueFd fd;
  for (int attempt = 0; attempt < kTempAttempts && !fd; ++attempt) {
    temp = TempName();
    fd.reset(::openat(dir_fd, temp.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600));
    if (!fd && errno != EEXIST) {
      return SysError("ERR_WRITE_FAILED", "openat", errno, report_path, "cannot create a temporary file");
    }
  }
  if (!fd) return SysError("ERR_WRITE_FAILED", "openat", EEXIST, report_path, "cannot create a temporary file");

  // From here on, every failure removes the temporary file.
  auto fail = [&](Error e) {
    fd.reset();
    ::unlinkat(dir_fd, temp.c_str(), 0);
    return e;
  };
  if (Error e = WriteBytes(fd.get(), bytes, report_path)) return fail(std::move(e));
  if (::fchmod(fd.get(), attributes.mode) != 0) {
    return fail(SysError("ERR_WRITE_FAILED", "fchmod", errno, report_path, "cannot set the mode"));
  }
  if ((attributes.uid || attributes.gid) &&
      ::fchown(fd.get(), attributes.uid ? *attributes.uid : static_cast<uid_t>(-1),
               attributes.gid ? *attributes.gid : static_cast<gid_t>(-1)) != 0) {
    return fail(SysError("ERR_WRITE_FAILED", "fchown", errno, report_path, "cannot set the owner"));
  }
  if (durable && ::fsync(fd.get()) != 0) {
    return fail(SysError("ERR_WRITE_FAILED", "fsync", errno, report_path, "cannot sync the file"));
  }
  fd.reset();

  if (existing == ExistingName::kReplace) {
    if (::renameat(dir_fd, temp.c_str(), dir_fd, name.c_str()) != 0) {
      int err = errno;
      if (err == EISDIR) return fail(MakeError("ERR_IS_DIRECTORY", "a directory is in the way", report_path));
      return fail(SysError("ERR_WRITE_FAILED", "renameat", err, report_path, "cannot move the new file into place"));
    }
  } else {
    int rc = ::renameat2(dir_fd, temp.c_str(), dir_fd, name.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL) {
      // A filesystem without RENAME_NOREPLACE: linkat also refuses an existing name (any kind,
      // dangling symlinks included) and never follows one.
      rc = ::linkat(dir_fd, temp.c_str(), dir_fd, name.c_str(), 0);
      if (rc == 0) ::unlinkat(dir_fd, temp.c_str(), 0);
    }
    if (rc != 0) {
      int err = errno;
      if (err == EEXIST) return fail({});
      return fail(SysError("ERR_WRITE_FAILED", "renameat2", err, report_path, "cannot move the new file into place"));
    }
  }
  if (created) *created = true;
  if (durable) return FsyncDirectory(dir_fd, report_path);
  return {};
}

}  // namespace home
