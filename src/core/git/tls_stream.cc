#include "core/git/tls_stream.h"

#include <arpa/inet.h>
#include <git2.h>
#include <git2/sys/errors.h>
#include <git2/sys/stream.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <climits>
#include <memory>
#include <string>

#include "core/base/openssl_error.h"
#include "core/git/git_error.h"
#include "core/git/socket_stream.h"
#include "core/git/tls_trust.h"

namespace home {
namespace {

// RFC 8996 retired TLS 1.0 and 1.1; every public git host speaks 1.2 or 1.3, and 1.2 is the
// floor of Node's own TLS too.
constexpr int kMinProtocol = TLS1_2_VERSION;

struct TlsStream {
  git_stream parent;
  git_stream* io = nullptr;  // the socket (or proxy) stream below
  bool owns_io = false;      // ours to connect, close and free (not when wrapping a proxy's)
  bool connected = false;
  std::string host;
  SSL* ssl = nullptr;
  // The stream below failed inside an OpenSSL call: its code (libgit2's error is already set,
  // with the reason: aborted, timed out, the server hung up), which beats OpenSSL's "syscall".
  int io_error = 0;
};

TlsStream* Of(git_stream* stream) { return reinterpret_cast<TlsStream*>(stream); }

int Fail(int code, const std::string& message) {
  git_error_set_str(GIT_ERROR_SSL, message.c_str());
  return code;
}

// The BIO that carries TLS records over a git_stream. Its data is the TlsStream, so that a
// failure below is kept with its own code and message.
int BioRead(BIO* bio, char* data, int len) {
  TlsStream* st = static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const ssize_t n = st->io->read(st->io, data, static_cast<size_t>(len));
  if (n < 0) {
    st->io_error = static_cast<int>(n);
    return -1;
  }
  return static_cast<int>(n);
}

int BioWrite(BIO* bio, const char* data, int len) {
  TlsStream* st = static_cast<TlsStream*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  const ssize_t n = st->io->write(st->io, data, static_cast<size_t>(len), 0);
  if (n < 0) {
    st->io_error = static_cast<int>(n);
    return -1;
  }
  return static_cast<int>(n);
}

long BioCtrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }  // writes are not buffered

int BioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// What every connection shares: the client context (protocol floor, peer verification) and the
// BIO method. Trust is per connection (SSL_set1_verify_cert_store), never in the context.
struct Shared {
  SSL_CTX* ctx = nullptr;
  BIO_METHOD* bio = nullptr;
  std::string error;
};

Shared MakeShared() {
  Shared shared;
  ERR_clear_error();
  shared.ctx = SSL_CTX_new(TLS_client_method());
  shared.bio = BIO_meth_new(BIO_TYPE_SOURCE_SINK | BIO_get_new_index(), "home_native_git_stream");
  if (shared.ctx == nullptr || shared.bio == nullptr || SSL_CTX_set_min_proto_version(shared.ctx, kMinProtocol) != 1 ||
      BIO_meth_set_read(shared.bio, BioRead) != 1 || BIO_meth_set_write(shared.bio, BioWrite) != 1 ||
      BIO_meth_set_ctrl(shared.bio, BioCtrl) != 1 || BIO_meth_set_create(shared.bio, BioCreate) != 1) {
    shared.error = "setting up TLS: " + TakeOpenSslReason("out of memory");
    return shared;
  }
  SSL_CTX_set_verify(shared.ctx, SSL_VERIFY_PEER, nullptr);
  return shared;
}

// Made once and never freed: clones may run on any thread until the process exits.
const Shared& SharedOnce() {
  static const Shared shared = MakeShared();
  return shared;
}

bool IsIpAddress(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// What to expect of the server's certificate: the URL's host, as a DNS name or an IP address.
// SNI only for names (RFC 6066 forbids addresses there).
bool ExpectHost(SSL* ssl, const std::string& host) {
  if (IsIpAddress(host)) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set1_host(ssl, host.c_str()) == 1 && SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
}

// Why verification failed, in OpenSSL's words, with what usually causes it when the chain did
// not reach a trusted CA.
std::string VerifyFailure(long result) {
  std::string why = X509_verify_cert_error_string(result);
  switch (result) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      why += " (the chain does not reach a CA of the system trust store or the clone's caFile, or the server did not "
             "send its intermediate certificates)";
      break;
    default:
      break;
  }
  return why;
}

int HandshakeFailure(TlsStream* st) {
  if (st->io_error != 0) {
    ERR_clear_error();
    return st->io_error;
  }
  const long result = SSL_get_verify_result(st->ssl);
  if (result != X509_V_OK) {
    ERR_clear_error();
    return Fail(GIT_ECERTIFICATE, "TLS certificate of " + st->host + " rejected: " + VerifyFailure(result));
  }
  return Fail(-1, "TLS handshake with " + st->host + " failed: " + TakeOpenSslReason("the server closed the connection"));
}

int Connect(git_stream* stream) {
  TlsStream* st = Of(stream);
  if (st->owns_io) {
    if (int rc = st->io->connect(st->io); rc < 0) return rc;
  }
  const Shared& shared = SharedOnce();
  if (!shared.error.empty()) return Fail(-1, shared.error);
  X509StorePtr trust;
  if (Error e = TlsTrustScope::CurrentStore(&trust)) return Fail(-1, e.message);
  ERR_clear_error();
  st->ssl = SSL_new(shared.ctx);
  BIO* bio = st->ssl != nullptr ? BIO_new(shared.bio) : nullptr;
  if (bio == nullptr) return Fail(-1, "setting up TLS: " + TakeOpenSslReason("out of memory"));
  BIO_set_data(bio, st);
  SSL_set_bio(st->ssl, bio, bio);  // the SSL owns it from here on
  if (SSL_set1_verify_cert_store(st->ssl, trust.get()) != 1 || !ExpectHost(st->ssl, st->host)) {
    return Fail(-1, "setting up TLS for " + st->host + ": " + TakeOpenSslReason("invalid host name"));
  }
  st->io_error = 0;
  if (SSL_connect(st->ssl) != 1) return HandshakeFailure(st);
  st->connected = true;
  return 0;
}

ssize_t Read(git_stream* stream, void* data, size_t len) {
  TlsStream* st = Of(stream);
  ERR_clear_error();
  st->io_error = 0;
  const int n = SSL_read(st->ssl, data, static_cast<int>(len < INT_MAX ? len : INT_MAX));
  if (n > 0) return n;
  if (SSL_get_error(st->ssl, n) == SSL_ERROR_ZERO_RETURN) return 0;  // the server's close_notify
  if (st->io_error != 0) return st->io_error;
  // Without close_notify, an end of the connection cannot be told from a cut: OpenSSL 3 reports
  // it ("unexpected eof while reading"), and a response cut short must not pass for complete.
  return Fail(-1, "reading from " + st->host + " over TLS: " + TakeOpenSslReason("the server closed the connection"));
}

ssize_t Write(git_stream* stream, const char* data, size_t len, int) {
  TlsStream* st = Of(stream);
  ERR_clear_error();
  st->io_error = 0;
  const int n = SSL_write(st->ssl, data, static_cast<int>(len < INT_MAX ? len : INT_MAX));
  if (n > 0) return n;
  if (st->io_error != 0) return st->io_error;
  return Fail(-1, "writing to " + st->host + " over TLS: " + TakeOpenSslReason("the server closed the connection"));
}

int Close(git_stream* stream) {
  TlsStream* st = Of(stream);
  // close_notify, without waiting for the server's: nothing it could say changes a finished
  // transfer, and a server that has gone already makes this fail harmlessly.
  if (st->connected) SSL_shutdown(st->ssl);
  ERR_clear_error();
  st->connected = false;
  return st->owns_io ? st->io->close(st->io) : 0;
}

void Free(git_stream* stream) {
  std::unique_ptr<TlsStream> st(Of(stream));
  SSL_free(st->ssl);  // and its BIO
  if (st->owns_io) st->io->free(st->io);
}

TlsStream* NewTlsStream(git_stream* io, bool owns_io, const char* host) {
  auto st = std::make_unique<TlsStream>();
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.encrypted = 1;
  st->parent.connect = Connect;
  st->parent.read = Read;
  st->parent.write = Write;
  st->parent.close = Close;
  st->parent.free = Free;
  st->io = io;
  st->owns_io = owns_io;
  st->host = host;
  return st.release();
}

int Init(git_stream** out, const char* host, const char* port) {
  git_stream* io = nullptr;
  if (int rc = NewSocketStream(&io, host, port); rc < 0) return rc;
  *out = &NewTlsStream(io, true, host)->parent;
  return 0;
}

}  // namespace

int WrapTlsStream(git_stream** out, git_stream* in, const char* host) {
  // libgit2 wraps a proxy's CONNECT tunnel: the tunnel's target is this host, which our socket
  // stream (connected to the proxy) never saw. A redirect to another host ends here.
  if (!TransferScope::AllowsHost(host)) {
    git_error_set_str(GIT_ERROR_NET, (std::string("refusing to follow a redirect to another server (") + host + ")").c_str());
    return -1;
  }
  *out = &NewTlsStream(in, false, host)->parent;
  return 0;
}

Error RegisterTlsStream() {
  git_stream_registration registration = {};
  registration.version = GIT_STREAM_VERSION;
  registration.init = Init;
  registration.wrap = WrapTlsStream;
  if (int rc = git_stream_register(GIT_STREAM_TLS, &registration); rc < 0) {
    return GitFailure("registering the TLS stream", rc);
  }
  return {};
}

}  // namespace home
