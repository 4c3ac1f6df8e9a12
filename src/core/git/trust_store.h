// Where the system's TLS trust store is on the machine this process runs on.
#pragma once

#include <string>

namespace home {

struct TrustStore {
  std::string file;  // a PEM bundle, or empty
  std::string dir;   // a directory of PEM certificates, or empty
  bool empty() const { return file.empty() && dir.empty(); }
};

// SSL_CERT_FILE / SSL_CERT_DIR when set (OpenSSL's variables, which operators already use),
// else the first bundle that exists among the distributions' usual places. Empty when none is
// found: HTTPS clones then fail certificate checks unless a clone brings its own caFile.
TrustStore FindTrustStore();

}  // namespace home
