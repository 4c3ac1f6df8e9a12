// OpenSSL's reason for the current thread's last failure, for messages.
#pragma once

#include <string>

namespace home {

// The reason of the last error in this thread's OpenSSL error queue ("certificate verify
// failed", or the OS error's text for a failed system call such as opening a file), then an
// empty queue: the queue is per thread and would otherwise carry stale errors into the next
// call. `otherwise` when the queue is empty.
std::string TakeOpenSslReason(const char* otherwise);

}  // namespace home
