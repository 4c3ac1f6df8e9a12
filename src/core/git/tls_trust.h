// The certificates an HTTPS clone trusts, as OpenSSL stores: the system's (trust_store.h's
// locations on the machine the process runs on), and for a clone that brings a CA bundle
// (caFile) the system's plus that bundle, in a store of its own that no other clone sees.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>

#include "core/base/error.h"

namespace home {

struct X509StoreFree {
  void operator()(X509_STORE* store) const;
};
using X509StorePtr = std::unique_ptr<X509_STORE, X509StoreFree>;

// Another reference to `store` (OpenSSL stores are reference-counted and safe to share between
// threads once built).
X509StorePtr ShareStore(X509_STORE* store);

// The system store: loaded on first use, then shared for the life of the process. A store that
// cannot be loaded (SSL_CERT_FILE naming a missing file) is the same error at every call.
Error SystemTrust(X509StorePtr* out);

// A new store with the system store's certificates (and its directory, if any) and those of the
// PEM bundle `ca_file`, which must hold at least one certificate.
Error TrustWithCaFile(const std::string& ca_file, X509StorePtr* out);

// While alive, the TLS connections this thread opens (tls_stream.h) trust the CA bundle `ca_file`
// beside the system store; empty: the system store alone, as outside any scope. The bundle is
// read at the first connection that needs it and kept for the scope's later ones (a clone
// connects more than once), so a clone over http:// never reads it.
class TlsTrustScope {
 public:
  explicit TlsTrustScope(std::string ca_file);
  ~TlsTrustScope();
  TlsTrustScope(const TlsTrustScope&) = delete;
  TlsTrustScope& operator=(const TlsTrustScope&) = delete;

  // For the stream: the store the current thread's connections verify against.
  static Error CurrentStore(X509StorePtr* out);

 private:
  std::string ca_file_;
  X509StorePtr store_;
  TlsTrustScope* previous_;
};

}  // namespace home
