// Verifies a TLS server certificate against the system's trust store plus one extra CA bundle.
// libgit2's own trust store (GIT_OPT_SET_SSL_CERT_LOCATIONS) is process-wide, so a per-clone
// `caFile` is honoured here, in the clone's certificate_check callback, instead.
#pragma once

#include <cstddef>
#include <string>

namespace home {

// True when the DER certificate `der` chains to a CA of the system store or of `ca_file` (PEM),
// is valid now and names `host` (DNS name or IP address). Otherwise false, with `*why` set.
// libgit2's mbedTLS backend hands over only the leaf, so intermediates must be in `ca_file`.
bool VerifyServerCertificate(const unsigned char* der, size_t der_len, const std::string& host,
                             const std::string& ca_file, std::string* why);

}  // namespace home
