#include "core/base/error.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace home {

Error SysError(std::string code, const char* syscall, int err, std::string path, std::string message) {
  Error e;
  e.code = std::move(code);
  e.message = std::move(message);
  if (!e.message.empty()) e.message += ": ";
  e.message += ErrnoName(err);
  e.message += " (";
  e.message += std::strerror(err);
  e.message += ")";
  e.path = std::move(path);
  e.sys_errno = err;
  e.syscall = syscall;
  return e;
}

const char* ErrnoName(int err) {
  switch (err) {
#define HOME_ERRNO(name) \
  case name:             \
    return #name;
    HOME_ERRNO(EPERM) HOME_ERRNO(ENOENT) HOME_ERRNO(EINTR) HOME_ERRNO(EIO) HOME_ERRNO(ENXIO)
    HOME_ERRNO(E2BIG) HOME_ERRNO(EBADF) HOME_ERRNO(EAGAIN) HOME_ERRNO(ENOMEM) HOME_ERRNO(EACCES)
    HOME_ERRNO(EFAULT) HOME_ERRNO(EBUSY) HOME_ERRNO(EEXIST) HOME_ERRNO(EXDEV) HOME_ERRNO(ENODEV)
    HOME_ERRNO(ENOTDIR) HOME_ERRNO(EISDIR) HOME_ERRNO(EINVAL) HOME_ERRNO(ENFILE) HOME_ERRNO(EMFILE)
    HOME_ERRNO(ETXTBSY) HOME_ERRNO(EFBIG) HOME_ERRNO(ENOSPC) HOME_ERRNO(ESPIPE) HOME_ERRNO(EROFS)
    HOME_ERRNO(EMLINK) HOME_ERRNO(EPIPE) HOME_ERRNO(ERANGE) HOME_ERRNO(EDEADLK) HOME_ERRNO(ENAMETOOLONG)
    HOME_ERRNO(ENOLCK) HOME_ERRNO(ENOSYS) HOME_ERRNO(ENOTEMPTY) HOME_ERRNO(ELOOP) HOME_ERRNO(EOVERFLOW)
    HOME_ERRNO(EOPNOTSUPP) HOME_ERRNO(ETIMEDOUT) HOME_ERRNO(ECONNREFUSED) HOME_ERRNO(ECONNRESET)
    HOME_ERRNO(EDQUOT) HOME_ERRNO(ESTALE) HOME_ERRNO(ECANCELED)
#undef HOME_ERRNO
    default:
      return "EUNKNOWN";
  }
}

}  // namespace home
