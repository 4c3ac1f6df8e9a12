#include "core/base/openssl_error.h"

#include <openssl/err.h>

#include <cstring>

namespace home {

std::string TakeOpenSslReason(const char* otherwise) {
  // The queue runs from the innermost failure to the outermost. A failed system call is the
  // innermost and the most useful ("No such file or directory" where the outer entries say
  // "no such file" and "system lib"); OpenSSL 3 keeps its errno as the reason. Otherwise the
  // outermost entry says what failed in OpenSSL's terms.
  std::string system, last;
  while (const unsigned long code = ERR_get_error()) {
    if (ERR_SYSTEM_ERROR(code)) {
      if (system.empty()) system = std::strerror(ERR_GET_REASON(code));
    } else if (const char* text = ERR_reason_error_string(code)) {
      last = text;
    } else {
      last = "OpenSSL error " + std::to_string(code);
    }
  }
  if (!system.empty()) return system;
  return last.empty() ? otherwise : last;
}

}  // namespace home
