#include "core/git/trust_store.h"

#include <sys/stat.h>

#include <cstdlib>

namespace home {
namespace {

// The bundle locations of the common distributions, as Go's crypto/x509 (root_linux.go) probes
// them. The OpenSSL in the process knows only the OPENSSLDIR its builder chose (the node binary's
// need not be the distribution's), and a path chosen on the build machine is wrong on half of
// the machines that install a prebuilt binary.
constexpr const char* kBundleFiles[] = {
    "/etc/ssl/certs/ca-certificates.crt",                 // Debian, Ubuntu, Gentoo, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",                   // Fedora, RHEL 6
    "/etc/ssl/ca-bundle.pem",                             // openSUSE
    "/etc/pki/tls/cacert.pem",                            // OpenELEC
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",  // CentOS, RHEL 7
    "/etc/ssl/cert.pem",                                  // Alpine, macOS, BSDs
};

bool IsFile(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char* NonEmptyEnv(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

}  // namespace

TrustStore FindTrustStore() {
  TrustStore store;
  const char* file = NonEmptyEnv("SSL_CERT_FILE");
  const char* dir = NonEmptyEnv("SSL_CERT_DIR");
  if (file != nullptr || dir != nullptr) {
    store.file = file != nullptr ? file : "";
    store.dir = dir != nullptr ? dir : "";
    return store;
  }
  for (const char* candidate : kBundleFiles) {
    if (IsFile(candidate)) {
      store.file = candidate;
      break;
    }
  }
  return store;
}

}  // namespace home
