// The private staging area beside the homes: libgit2 writes by path, so clones are made here,
// where no user can plant a symlink, and only the finished tree is renamed into a home.
// Layout: <staging>/clone-XXXXXXXXXXXXXXXX/ (one per clone in flight), <staging>/locks/ (home_lock).
#pragma once

#include <string>

#include "core/error.h"
#include "core/unique_fd.h"

namespace home {

// Opens `path` (absolute) as the staging directory, creating it 0700 when missing. Refuses a
// symlink, a non-directory, or a directory that another user owns (with `code_for_caller`:
// ERR_CLONE_FAILED or ERR_LOCK_FAILED, and the reason); tightens group/other permissions away.
Error OpenStagingDir(const std::string& path, const char* code_for_caller, UniqueFd* out);

// Opens (creating 0700) the directory `name` inside `parent_fd` under the same rules.
Error OpenPrivateSubdir(int parent_fd, const std::string& name, const std::string& shown_path,
                        const char* code_for_caller, UniqueFd* out);

// Creates a fresh, empty, uniquely named 0700 directory in the staging directory; its name.
Error MakeCloneDir(int staging_fd, const std::string& staging_path, std::string* name);

}  // namespace home
