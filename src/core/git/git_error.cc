#include "core/git/git_error.h"

#include <git2.h>

#include <string>

#include "core/git/url_policy.h"

namespace home {

Error GitFailure(const char* what, int git_code, const char* code) {
  const git_error* last = git_error_last();
  std::string message = what;
  message += ": ";
  if (last != nullptr && last->message != nullptr && last->message[0] != '\0') {
    message += last->message;
    message += " [class ";
    message += std::to_string(last->klass);
    message += "]";
  } else {
    message += "libgit2 error " + std::to_string(git_code);
  }
  return MakeError(code, RedactUrl(message));
}

}  // namespace home
