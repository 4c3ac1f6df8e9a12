#include "core/fs/openat2.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#endif

namespace home {

int OpenDirBeneath(int dir_fd, const char* path, bool no_symlinks) {
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
  return static_cast<int>(::syscall(SYS_openat2, dir_fd, path, &how, sizeof how));
#else
  (void)dir_fd;
  (void)path;
  (void)no_symlinks;
  errno = ENOSYS;
  return -1;
#endif
}

}  // namespace home
