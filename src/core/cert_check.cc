#include "core/cert_check.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace home {
namespace {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct StoreFree {
  void operator()(X509_STORE* p) const { X509_STORE_free(p); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* p) const { X509_STORE_CTX_free(p); }
};

}  // namespace

bool VerifyServerCertificate(const unsigned char* der, size_t der_len, const std::string& host,
                             const std::string& ca_file, std::string* why) {
  ERR_clear_error();
  const unsigned char* cursor = der;
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &cursor, static_cast<long>(der_len)));
  if (!cert) {
    *why = "the server's certificate could not be parsed";
    return false;
  }
  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  if (!store || X509_STORE_set_default_paths(store.get()) != 1) {
    *why = "the system trust store could not be loaded";
    return false;
  }
  if (!ca_file.empty() && X509_STORE_load_locations(store.get(), ca_file.c_str(), nullptr) != 1) {
    *why = "caFile could not be loaded: " + ca_file;
    return false;
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr) != 1) {
    *why = "certificate verification could not start";
    return false;
  }
  // The hostname is checked as part of the chain verification, by OpenSSL's RFC 6125 rules.
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const bool is_ip = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;
  if (!is_ip && X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1) {
    *why = "invalid host name";
    return false;
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    *why = std::string("certificate verification failed: ") + X509_verify_cert_error_string(err);
    return false;
  }
  return true;
}

}  // namespace home
