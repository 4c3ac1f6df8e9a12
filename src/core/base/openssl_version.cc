#include "core/base/openssl_version.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>

namespace home {
namespace {

// OpenSSL's version number: 0xMNN00PP0 from 3.0 on, 0xMNNFFPPS before; the major version is the
// top nibble and the minor the next byte in both layouts (opensslv.h, OPENSSL_VERSION_NUMBER).
unsigned long Major(unsigned long v) { return v >> 28; }
unsigned long Minor(unsigned long v) { return (v >> 20) & 0xff; }

std::string MajorMinor(unsigned long v) { return std::to_string(Major(v)) + "." + std::to_string(Minor(v)); }

}  // namespace

std::string OpenSslMismatch(unsigned long built, unsigned long running) {
  if (Major(running) != Major(built)) {
    return "a different major version than the " + MajorMinor(built) + " this binary was compiled against";
  }
  if (Minor(running) < Minor(built)) {
    return "older than the " + MajorMinor(built) + " this binary was compiled against";
  }
  return {};
}

Error CheckProcessOpenSsl() {
  const std::string why = OpenSslMismatch(OPENSSL_VERSION_NUMBER, OpenSSL_version_num());
  if (why.empty()) return {};
  return MakeError("ERR_NATIVE_LOAD", std::string("the OpenSSL in this Node process (") + OpenSSL_version(OPENSSL_VERSION) +
                                          ") is " + why + " (" + OPENSSL_VERSION_TEXT +
                                          "): the addon uses the process's OpenSSL and needs OpenSSL " +
                                          MajorMinor(OPENSSL_VERSION_NUMBER) + " or a later " +
                                          std::to_string(Major(OPENSSL_VERSION_NUMBER)) + ".x");
}

}  // namespace home
