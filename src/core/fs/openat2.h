// openat2(2) as a raw system call: glibc has no wrapper. See openat2(2) and
// Documentation/userspace-api/ (RESOLVE_BENEATH: "Do not permit the path resolution to succeed if
// any component of the resolution is not a descendant of the directory indicated by dirfd").
#pragma once

#include <cstdint>

namespace home {

// Opens `path` below `dir_fd` as a directory (O_PATH|O_DIRECTORY|O_CLOEXEC) with
// RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS. Returns the descriptor, or -1 with errno set; ENOSYS
// (also when the headers we were built with lack the call) means the kernel has none.
// `no_symlinks` adds RESOLVE_NO_SYMLINKS: any symlink on the way fails the call with ELOOP.
int OpenDirBeneath(int dir_fd, const char* path, bool no_symlinks = false);

}  // namespace home
