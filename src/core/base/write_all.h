// Every byte written, through short writes and interrupted ones: the one loop the package's
// writers (packs, checkout's files, the index, the overlay's temporary files) share.
#pragma once

#include <cstddef>

namespace home {

// Writes all `size` bytes of `data` to `fd`. False with errno set (EIO for a write that took
// nothing) when a write fails.
bool WriteAll(int fd, const void* data, size_t size);

}  // namespace home
