#include "core/base/write_all.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace home {

bool WriteAll(int fd, const void* data, size_t size) {
  const char* at = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, at, std::min<size_t>(size, SSIZE_MAX));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    at += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace home
