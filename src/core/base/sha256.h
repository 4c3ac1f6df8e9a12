// SHA-256 through OpenSSL's EVP interface. In the addon this is the OpenSSL that Node carries;
// in the CMake build it is the system's libcrypto.
#pragma once

#include <string>
#include <string_view>

namespace home {

// Lowercase hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace home
