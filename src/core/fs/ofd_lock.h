// Open-file-description locks (fcntl F_OFD_SETLK): owned by the open file, not the process, so
// they exclude threads of one process as well as other processes, work over NFS (v4), and are
// released when the descriptor is closed, also when the process dies.
#pragma once

namespace home {

// A non-blocking exclusive lock on the whole file behind `fd` (opened for writing).
// 1: acquired; 0: another open file holds it; -1: failed (errno set).
int TryOfdLock(int fd);

}  // namespace home
