// libgit2's last error as one of ours. Apart from git_runtime so that the streams git_runtime
// registers can report failures without including it back (an include cycle otherwise).
#pragma once

#include "core/base/error.h"

namespace home {

// The failures of libgit2 the clone acts on. libgit2 reports a failure as a return code, an
// error class and a message, nothing finer; these are told apart here and only here, from the
// code and class first and from libgit2 1.9's wording where the class is shared (each has a
// test that fails if an update changes that wording).
enum class GitSymptom {
  kOther,
  kRedirectRefused,     // a redirect to another scheme or host that libgit2 would not follow
  kObjectNotServed,     // a commit id the server does not serve (no *-sha1-in-want capability)
  kShallowUnsupported,  // the server does not offer the `shallow` capability
  kConnectionLost,      // the connection ended or broke mid-conversation
  kAuthFailed,          // GIT_EAUTH: the server refused what was offered, or wanted more
};

// A failure of libgit2 as an Error and the symptom it shows.
struct GitFailed {
  Error error;
  GitSymptom symptom = GitSymptom::kOther;
};

// The last libgit2 error of this thread as ERR_CLONE_FAILED (or `code`): "<what>: <message>
// [class N]", every URL in it redacted.
Error GitFailure(const char* what, int git_code, const char* code = "ERR_CLONE_FAILED");

// The same, with the symptom read off the same error.
GitFailed GitFailureWithSymptom(const char* what, int git_code, const char* code = "ERR_CLONE_FAILED");

}  // namespace home
