#include "core/git/socket_stream.h"

#include <git2.h>
#include <git2/sys/errors.h>
#include <git2/sys/stream.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "core/git/git_error.h"

namespace home {
namespace {

using Clock = std::chrono::steady_clock;


thread_local TransferScope* current_scope = nullptr;

// The layout of libgit2's own git_socket_stream (src/libgit2/streams/socket.h, unchanged from
// 1.7 to 1.9): its libssh2 SSH transport reads the descriptor through that layout
// (GIT_CONTAINER_OF(stream, git_socket_stream, parent)->s), so our stream keeps the same first
// members. Its other SSH backend (USE_SSH=exec, the prebuild's) runs the ssh binary and opens
// no stream; HTTP(S) and git:// only use the git_stream callbacks.
struct Stream {
  git_stream parent;
  char* host;
  char* port;
  int s;
  // ours from here on
  std::string host_name;
  std::string port_name;
};

Stream* Of(git_stream* stream) { return reinterpret_cast<Stream*>(stream); }

int NetError(const std::string& message) {
  git_error_set_str(GIT_ERROR_NET, message.c_str());
  return -1;
}

// Waits until `fd` is ready for `events`, in ticks, for at most `timeout_ms` (0: no limit).
// 1 ready, 0 timed out, -1 stopped or failed (libgit2 error set).
int Wait(int fd, short events, int timeout_ms, const char* what) {
  const auto until = timeout_ms > 0 ? Clock::now() + std::chrono::milliseconds(timeout_ms) : Clock::time_point::max();
  for (;;) {
    if (TransferScope::ShouldStop()) return NetError(std::string(what) + " stopped: the clone was aborted or timed out");
    pollfd p = {fd, events, 0};
    const int rc = poll(&p, 1, static_cast<int>(kBudgetCheckInterval.count()));
    if (rc > 0) return 1;
    if (rc < 0 && errno != EINTR) return NetError(std::string(what) + ": poll failed: " + std::strerror(errno));
    if (Clock::now() >= until) return 0;
  }
}

int Connect(git_stream* stream) {
  Stream* st = Of(stream);
  if (!TransferScope::AllowsEndpoint(st->host_name, st->port_name)) {
    return NetError("refusing to follow a redirect to another server (" + st->host_name + ":" + st->port_name + ")");
  }
  std::string host = st->host_name, port_name = st->port_name;
  TransferScope::Route(&host, &port_name);
  char* end = nullptr;
  const unsigned long port = std::strtoul(port_name.c_str(), &end, 10);
  if (port_name.empty() || *end != '\0' || port == 0 || port > 65535) {
    return NetError("invalid port '" + port_name + "' for " + host);
  }
  std::vector<IpAddress> addresses;
  if (Error e = TransferScope::Addresses(host, port_name, &addresses)) return NetError(e.message);
  std::string last_error = "no address";
  for (const IpAddress& address : addresses) {
    sockaddr_storage target;
    socklen_t target_length = 0;
    address.ToSockaddr(static_cast<uint16_t>(port), &target, &target_length);
    const int fd = socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int rc = connect(fd, reinterpret_cast<const sockaddr*>(&target), target_length);
    if (rc != 0 && errno == EINPROGRESS) {
      const int ready = Wait(fd, POLLOUT, stream->connect_timeout, "connect");
      if (ready < 0) {
        close(fd);
        return -1;
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (ready == 0) {
        err = ETIMEDOUT;
      } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
      }
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last_error = std::strerror(errno);
      close(fd);
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    st->s = fd;
    return 0;
  }
  return NetError("failed to connect to " + host + ": " + last_error);
}

ssize_t Read(git_stream* stream, void* data, size_t len) {
  Stream* st = Of(stream);
  for (;;) {
    // Checked before every read, not only while waiting: a server that never stops sending (an
    // endless ref advertisement, which no libgit2 callback sees) must hit the deadline too.
    if (TransferScope::ShouldStop()) return NetError("read stopped: the clone was aborted, timed out or is too large");
    const ssize_t n = recv(st->s, data, len, MSG_DONTWAIT);
    if (n >= 0) {
      TransferScope::CountReceived(static_cast<size_t>(n));
      return n;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return NetError(std::string("error receiving data from socket: ") + std::strerror(errno));
    const int ready = Wait(st->s, POLLIN, stream->timeout, "read");
    if (ready < 0) return -1;
    if (ready == 0) {
      git_error_set_str(GIT_ERROR_NET, "read timed out");
      return GIT_TIMEOUT;
    }
  }
}

ssize_t Write(git_stream* stream, const char* data, size_t len, int) {
  Stream* st = Of(stream);
  size_t done = 0;
  while (done < len) {
    const ssize_t n = send(st->s, data + done, len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return NetError(std::string("error sending data to socket: ") + std::strerror(errno));
    const int ready = Wait(st->s, POLLOUT, stream->timeout, "write");
    if (ready < 0) return -1;
    if (ready == 0) {
      git_error_set_str(GIT_ERROR_NET, "write timed out");
      return GIT_TIMEOUT;
    }
  }
  return static_cast<ssize_t>(done);
}

int Close(git_stream* stream) {
  Stream* st = Of(stream);
  if (st->s >= 0) close(st->s);
  st->s = -1;
  return 0;
}

void Free(git_stream* stream) { std::unique_ptr<Stream> owned(Of(stream)); }

int Init(git_stream** out, const char* host, const char* port) {
  auto st = std::make_unique<Stream>();
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.connect = Connect;
  st->parent.read = Read;
  st->parent.write = Write;
  st->parent.close = Close;
  st->parent.free = Free;
  // libgit2 fills these in only for its own stream: take the process-wide settings
  // (git_runtime.cc) the same way. A read or write silent this long fails; 0 waits forever.
  git_libgit2_opts(GIT_OPT_GET_SERVER_TIMEOUT, &st->parent.timeout);
  git_libgit2_opts(GIT_OPT_GET_SERVER_CONNECT_TIMEOUT, &st->parent.connect_timeout);
  st->host_name = host;
  st->port_name = port;
  st->host = st->host_name.data();
  st->port = st->port_name.data();
  st->s = -1;
  *out = &st.release()->parent;
  return 0;
}

// Whether libgit2's SSH transport will read our stream through git_socket_stream's private
// layout: only its libssh2 backend does. libgit2 >= 1.9 names its backend; 1.7 and 1.8 with SSH
// are taken to use libssh2 (Debian's and most distributions' builds do).
bool SshReadsPrivateLayout() {
  if (!(git_libgit2_features() & GIT_FEATURE_SSH)) return false;
#if LIBGIT2_VER_MAJOR > 1 || (LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR >= 9)
  const char* backend = git_libgit2_feature_backend(GIT_FEATURE_SSH);
  return backend == nullptr || std::strcmp(backend, "exec") != 0;
#else
  return true;
#endif
}

// The versions whose git_socket_stream we checked against Stream above. Asked at run time: a
// shared libgit2 may be newer than the headers we were compiled with.
bool LayoutVerified() {
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  return major == 1 && minor >= 7 && minor <= 9;
}

}  // namespace

int NewSocketStream(git_stream** out, const char* host, const char* port) { return Init(out, host, port); }

Error RegisterSocketStream() {
  // A libssh2 SSH transport of a libgit2 whose layout we have not checked could read garbage as
  // a descriptor: keep libgit2's own stream then (no TCP_NODELAY, and cancellation only at
  // libgit2's callbacks), which is slower to stop but correct.
  if (SshReadsPrivateLayout() && !LayoutVerified()) return {};
  git_stream_registration registration = {};
  registration.version = GIT_STREAM_VERSION;
  registration.init = Init;
  if (int rc = git_stream_register(GIT_STREAM_STANDARD, &registration); rc < 0) {
    return GitFailure("registering the socket stream", rc);
  }
  return {};
}

TransferScope::TransferScope(CloneBudget& budget, const NetworkAccess& network, std::string host, std::string port)
    : budget_(&budget), network_(&network), host_(std::move(host)), port_(std::move(port)), previous_(current_scope) {
  current_scope = this;
}

TransferScope::~TransferScope() { current_scope = previous_; }

bool TransferScope::ShouldStop() {
  const TransferScope* scope = current_scope;
  return scope != nullptr && scope->budget_->ShouldStop();
}

void TransferScope::CountReceived(size_t bytes) {
  if (current_scope != nullptr) current_scope->budget_->CountReceived(bytes);
}

bool TransferScope::AllowsEndpoint(const std::string& host, const std::string& port) {
  const TransferScope* scope = current_scope;
  if (scope == nullptr || scope->host_.empty()) return true;
  if (scope->network_->IsProxy(host, port)) return true;
  return port == scope->port_ && SameHost(host, scope->host_);
}

void TransferScope::Route(std::string* host, std::string* port) {
  const TransferScope* scope = current_scope;
  if (scope == nullptr || !scope->network_->forward_plain_http) return;
  if (*port != scope->port_ || !SameHost(*host, scope->host_)) return;
  *host = scope->network_->proxy_host;
  *port = scope->network_->proxy_port;
}

bool TransferScope::AllowsHost(const std::string& host) {
  const TransferScope* scope = current_scope;
  return scope == nullptr || scope->host_.empty() || SameHost(host, scope->host_);
}

Error TransferScope::Addresses(const std::string& host, const std::string& port, std::vector<IpAddress>* out) {
  TransferScope* scope = current_scope;
  if (scope == nullptr) {
    // Outside a clone (tests of the stream itself): the default policy, the system's resolver.
    static const NetworkAccess kPublicOnly;
    CloneBudget unlimited(CloneLimits{}, CancelFlag(), host);
    return ConnectableAddresses(kPublicOnly, unlimited, host, port, out);
  }
  Error error = ConnectableAddresses(*scope->network_, *scope->budget_, host, port, out);
  if (error.code == "ERR_DESTINATION_NOT_ALLOWED") scope->budget_->Stop(error);
  return error;
}

}  // namespace home
