// Whether the OpenSSL in this process is one this binary can use. The addon carries no OpenSSL of
// its own: it is compiled against the headers of Node's OpenSSL and binds OpenSSL's functions
// from the process when it loads (the node binary, or the libssl a distribution's node links).
#pragma once

#include <string>

#include "core/base/error.h"

namespace home {

// Empty when code compiled against OpenSSL headers whose OPENSSL_VERSION_NUMBER is `built` can
// run on the OpenSSL whose OpenSSL_version_num() is `running`; otherwise why not. OpenSSL keeps
// its ABI within a major version from 3.0 on, and a minor version only adds to it: the same
// major, and a minor no older than the headers'.
std::string OpenSslMismatch(unsigned long built, unsigned long running);

// OpenSslMismatch of this binary's headers and the process's OpenSSL, as ERR_NATIVE_LOAD with
// both versions spelled out.
Error CheckProcessOpenSsl();

}  // namespace home
