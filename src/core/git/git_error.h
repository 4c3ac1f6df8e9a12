// libgit2's last error as one of ours. Apart from git_runtime so that the streams git_runtime
// registers can report failures without including it back (an include cycle otherwise).
#pragma once

#include "core/base/error.h"

namespace home {

// The last libgit2 error of this thread as ERR_CLONE_FAILED (or `code`): "<what>: <message>
// [class N]", every URL in it redacted.
Error GitFailure(const char* what, int git_code, const char* code = "ERR_CLONE_FAILED");

}  // namespace home
