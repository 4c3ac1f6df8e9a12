// libgit2's process-wide state: initialised once, configured once, never shut down (clones may
// run on any thread until the process exits).
#pragma once

#include "core/base/error.h"

namespace home {

// Initialises libgit2 and applies the process-wide options (see git_runtime.cc for each reason).
// Safe to call from any thread, any number of times; the work happens once.
Error EnsureGitRuntime();

}  // namespace home
