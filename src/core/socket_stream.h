// libgit2's plain TCP stream, replaced (git_stream_register(GIT_STREAM_STANDARD)); libgit2's TLS
// and SSH transports run on top of it. Why our own:
//   - TCP_NODELAY. libgit2 writes an HTTP request's headers and body separately; with Nagle's
//     algorithm the body waits for the server's (delayed, up to 40 ms on Linux) ACK of the
//     headers: two such waits per clone, measured at ~80 ms on loopback, a round trip each over
//     a WAN. git (through curl) disables Nagle too.
//   - Cancellation and the deadline reach every blocking point (name resolution excepted): connect,
//     and reads and writes wait in poll() ticks that check the clone's TransferScope, so a server
//     that stalls before sending anything cannot hold an aborted clone.
//   - send(MSG_NOSIGNAL): a peer that hangs up makes write fail with EPIPE, never SIGPIPE.
#pragma once

#include <chrono>

#include "core/cancel.h"
#include "core/error.h"

namespace home {

// Installs the stream. Called once by EnsureGitRuntime.
Error RegisterSocketStream();

// While alive, the streams this thread opens and uses honour `cancel` and `deadline`.
class TransferScope {
 public:
  TransferScope(const CancelFlag& cancel, std::chrono::steady_clock::time_point deadline);
  ~TransferScope();
  TransferScope(const TransferScope&) = delete;
  TransferScope& operator=(const TransferScope&) = delete;

  // For the stream: true when the current thread's transfer must stop.
  static bool ShouldStop();

 private:
  const CancelFlag* cancel_;
  std::chrono::steady_clock::time_point deadline_;
  TransferScope* previous_;
};

}  // namespace home
