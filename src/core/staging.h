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

// Creates a fresh, empty, uniquely named 0700 directory in the staging directory; its name, and
// `*in_use`: a descriptor of it holding an exclusive flock() for as long as the clone runs, which
// tells SweepStaleCloneDirs in every process that the directory is not debris.
Error MakeCloneDir(int staging_fd, const std::string& staging_path, std::string* name, UniqueFd* in_use);

// Removes clone directories whose process died before cleaning up (a crash, SIGKILL, a power
// cut between the swap and the removal of the old tree): every clone-* entry that nobody holds
// the flock of. Entries younger than a grace period are left alone, as the lock is taken a moment
// after the directory is made. Best effort: failures leave the entry for the next sweep.
// Between mkdir and flock a clone directory is unlocked for microseconds; a sweep never touches
// an entry younger than this, so it cannot take a directory from a clone that is just starting.
constexpr long kSweepGraceSeconds = 60;
void SweepStaleCloneDirs(int staging_fd, long grace_seconds = kSweepGraceSeconds);

}  // namespace home
