#include "core/git/tls_trust.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "core/base/openssl_error.h"
#include "core/git/trust_store.h"

namespace home {
namespace {

// Made once and never freed, like libgit2's runtime (git_runtime.h): clones may verify against
// it on any thread until the process exits.
struct System {
  TrustStore where;
  X509_STORE* store = nullptr;
  Error error;
};

System LoadSystem() {
  System system;
  system.where = FindTrustStore();
  ERR_clear_error();
  system.store = X509_STORE_new();
  if (system.store == nullptr) {
    system.error = MakeError("ERR_CLONE_FAILED", "loading the TLS trust store: out of memory");
    return system;
  }
  const TrustStore& where = system.where;
  auto failed = [&](const std::string& path) {
    system.error = MakeError("ERR_CLONE_FAILED",
                             "loading the TLS trust store " + path + ": " + TakeOpenSslReason("no certificate found"), path);
  };
  if (!where.file.empty() && X509_STORE_load_file(system.store, where.file.c_str()) != 1) {
    failed(where.file);
  } else if (!where.dir.empty() && X509_STORE_load_path(system.store, where.dir.c_str()) != 1) {
    failed(where.dir);
  }
  return system;
}

// Once per process, like the system's own trust store: the file is read at the first HTTPS
// connection, not again (an operator who changes SSL_CERT_FILE restarts the worker).
const System& SystemOnce() {
  static const System system = LoadSystem();
  return system;
}

thread_local TlsTrustScope* current_scope = nullptr;

struct CertsFree {
  void operator()(STACK_OF(X509) * certs) const { sk_X509_pop_free(certs, X509_free); }
};

}  // namespace

void X509StoreFree::operator()(X509_STORE* store) const { X509_STORE_free(store); }

X509StorePtr ShareStore(X509_STORE* store) {
  if (store == nullptr || X509_STORE_up_ref(store) != 1) return X509StorePtr();
  return X509StorePtr(store);
}

Error SystemTrust(X509StorePtr* out) {
  const System& system = SystemOnce();
  if (system.error) return system.error;
  *out = ShareStore(system.store);
  return {};
}

Error TrustWithCaFile(const std::string& ca_file, X509StorePtr* out) {
  const System& system = SystemOnce();
  if (system.error) return system.error;
  ERR_clear_error();
  X509StorePtr store(X509_STORE_new());
  if (!store) return MakeError("ERR_CLONE_FAILED", "building the clone's trust store: out of memory");
  // References to the system's certificates, not copies; a directory store is looked up lazily,
  // so it is added as a directory again.
  std::unique_ptr<STACK_OF(X509), CertsFree> certs(X509_STORE_get1_all_certs(system.store));
  for (int i = 0; certs && i < sk_X509_num(certs.get()); ++i) {
    if (X509_STORE_add_cert(store.get(), sk_X509_value(certs.get(), i)) != 1) {
      return MakeError("ERR_CLONE_FAILED", "building the clone's trust store: " + TakeOpenSslReason("unknown error"));
    }
  }
  if (!system.where.dir.empty() && X509_STORE_load_path(store.get(), system.where.dir.c_str()) != 1) {
    return MakeError("ERR_CLONE_FAILED", "building the clone's trust store: " + TakeOpenSslReason("unknown error"));
  }
  if (X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    return MakeError("ERR_CLONE_FAILED",
                     "caFile " + ca_file + " could not be loaded: " + TakeOpenSslReason("no certificate found"), ca_file);
  }
  *out = std::move(store);
  return {};
}

TlsTrustScope::TlsTrustScope(std::string ca_file) : ca_file_(std::move(ca_file)), previous_(current_scope) {
  current_scope = this;
}

TlsTrustScope::~TlsTrustScope() { current_scope = previous_; }

Error TlsTrustScope::CurrentStore(X509StorePtr* out) {
  TlsTrustScope* scope = current_scope;
  if (scope == nullptr || scope->ca_file_.empty()) return SystemTrust(out);
  if (!scope->store_) {
    if (Error e = TrustWithCaFile(scope->ca_file_, &scope->store_)) return e;
  }
  *out = ShareStore(scope->store_.get());
  return {};
}

}  // namespace home
