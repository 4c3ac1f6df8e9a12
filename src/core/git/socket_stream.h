// libgit2's plain TCP stream, replaced (git_stream_register(GIT_STREAM_STANDARD)); libgit2's TLS
// and SSH transports run on top of it. Why our own:
//   - TCP_NODELAY. libgit2 writes an HTTP request's headers and body separately; with Nagle's
//     algorithm the body waits for the server's (delayed, up to 40 ms on Linux) ACK of the
//     headers: two such waits per clone, measured at ~80 ms on loopback, a round trip each over
//     a WAN. git (through curl) disables Nagle too.
//   - Cancellation and the deadline reach every blocking point: name resolution (through the
//     clone's resolver, network_access.h), connect, and reads and writes wait in ticks that check
//     the clone's TransferScope, so a server that stalls before sending anything cannot hold an
//     aborted clone.
//   - The network policy (address_policy.h): the addresses connected are the ones it checked.
//   - send(MSG_NOSIGNAL): a peer that hangs up makes write fail with EPIPE, never SIGPIPE.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/git/clone_budget.h"
#include "core/git/network_access.h"

struct git_stream;

namespace home {

// Installs the stream. Called once by EnsureGitRuntime.
Error RegisterSocketStream();

// A new, unconnected stream of ours to host:port, for the TLS stream to run over
// (tls_stream.h): git_stream_register's init contract (0, or -1 with libgit2's error set).
int NewSocketStream(git_stream** out, const char* host, const char* port);

// While alive, the streams this thread opens and uses honour the clone's budget (its cancel flag,
// deadline and received-bytes limit: clone_budget.h), its network access (which addresses, which
// resolver, which proxy: network_access.h) and (for HTTP) the one endpoint the URL names. Without
// a scope a stream connects to public addresses only, resolved by the system.
class TransferScope {
 public:
  // Every byte read from the network counts against `budget` (ref advertisement, HTTP framing
  // and pack alike). `host`/`port`: the endpoint of an http(s) URL; a stream to any other
  // endpoint is refused, so a redirect can change the path but never the server. Empty: no check
  // (git://, ssh: no redirects there).
  // `network` must outlive the scope.
  TransferScope(CloneBudget& budget, const NetworkAccess& network, std::string host = {}, std::string port = {});
  ~TransferScope();
  TransferScope(const TransferScope&) = delete;
  TransferScope& operator=(const TransferScope&) = delete;

  // For the stream: true when the current thread's transfer must stop.
  static bool ShouldStop();
  // For the stream: counts received bytes against the current scope's budget.
  static void CountReceived(size_t bytes);
  // For the stream: whether the current scope lets a stream connect to `host`:`port`.
  static bool AllowsEndpoint(const std::string& host, const std::string& port);
  // For the stream: where to connect for `host`:`port`, which is the URL's own endpoint unless a
  // plain-http URL goes through the operator's proxy (network_access.h forward_plain_http).
  static void Route(std::string* host, std::string* port);
  // For a TLS stream wrapped around a proxy's tunnel, which knows the host only.
  static bool AllowsHost(const std::string& host);
  // For the stream: the addresses it may connect to for `host`:`port` (network_access.h). A
  // refusal is also the clone's reason to stop, so that it is what the clone reports.
  static Error Addresses(const std::string& host, const std::string& port, std::vector<IpAddress>* out);

 private:
  CloneBudget* budget_;
  const NetworkAccess* network_;
  std::string host_, port_;
  TransferScope* previous_;
};

}  // namespace home
