// libgit2's TLS stream, replaced (git_stream_register(GIT_STREAM_TLS)) with one of ours on the
// process's OpenSSL (Node's), over our socket stream (socket_stream.h). Why our own:
//   - Per-clone trust. libgit2's OpenSSL backend verifies against one process-wide SSL_CTX, and
//     its certificate callback sees only the leaf: a clone's caFile could only be added to every
//     clone's trust, or checked without the intermediates the server sent. Here each connection
//     verifies the whole chain the server sends against its clone's store (tls_trust.h).
//   - Names and addresses checked by OpenSSL itself: DNS names by RFC 6125 (no partial
//     wildcards), IP addresses against IP subjectAltNames (https://127.0.0.1:PORT).
//   - The handshake runs over our socket stream, so the clone's deadline, abort and byte limit
//     reach it as they reach every other read and write.
// No certificate callback is involved: a certificate that fails verification fails the
// connection (GIT_ECERTIFICATE) with OpenSSL's reason.
#pragma once

#include "core/base/error.h"

struct git_stream;

namespace home {

// Installs the stream. Called once by EnsureGitRuntime, after RegisterSocketStream.
Error RegisterTlsStream();

// TLS to `host` over `in`, a stream already connected (libgit2's HTTP CONNECT tunnel through a
// proxy), which the new stream uses but neither closes nor frees: git_stream_register's wrap
// contract (0, or -1 with libgit2's error set).
int WrapTlsStream(git_stream** out, git_stream* in, const char* host);

}  // namespace home
