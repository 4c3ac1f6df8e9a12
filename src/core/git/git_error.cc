#include "core/git/git_error.h"

#include <git2.h>

#include <cctype>
#include <string>

#include "core/git/url_policy.h"

namespace home {
namespace {

std::string Lowercase(const char* text) {
  std::string out = text != nullptr ? text : "";
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool Holds(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

GitSymptom SymptomOf(const git_error* last, int git_code) {
  if (git_code == GIT_EAUTH) return GitSymptom::kAuthFailed;
  if (last == nullptr) return GitSymptom::kOther;
  const std::string message = Lowercase(last->message);
  switch (last->klass) {
    case GIT_ERROR_NET:
      // A transport without depth support says so: the smart protocol's cap_not_sup_err ("server
      // doesn't support shallow"), the local transport's "shallow fetch is not supported".
      if (Holds(message, "shallow")) return GitSymptom::kShallowUnsupported;
      // net.c's git_net_url_apply_redirect.
      if (Holds(message, "cannot redirect from")) return GitSymptom::kRedirectRefused;
      break;
    case GIT_ERROR_INVALID:
      // fetch.c's filter_wants: a bare id the remote's capabilities do not let it serve.
      if (Holds(message, "specific object")) return GitSymptom::kObjectNotServed;
      break;
    default:
      break;
  }
  // A server refusing a depth request over a stateful transport hangs up (git daemon answers
  // "expected SHA1 list" first): the class is whichever layer noticed, the text says how.
  for (const char* symptom : {"sha1 list", "unexpected", "early eof", "end of file", "connection", "broken pipe",
                              "reset by peer"}) {
    if (Holds(message, symptom)) return GitSymptom::kConnectionLost;
  }
  return GitSymptom::kOther;
}

}  // namespace

Error GitFailure(const char* what, int git_code, const char* code) {
  return GitFailureWithSymptom(what, git_code, code).error;
}

GitFailed GitFailureWithSymptom(const char* what, int git_code, const char* code) {
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
  return {MakeError(code, RedactUrl(message)), SymptomOf(last, git_code)};
}

}  // namespace home
