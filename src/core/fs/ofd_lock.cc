#include "core/fs/ofd_lock.h"

#include <fcntl.h>

#include <cerrno>

namespace home {

int TryOfdLock(int fd) {
  struct flock lock = {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  if (fcntl(fd, F_OFD_SETLK, &lock) == 0) return 1;
  return (errno == EAGAIN || errno == EACCES) ? 0 : -1;
}

}  // namespace home
