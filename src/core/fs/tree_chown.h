// Gives a finished checkout to the home's owner before it is moved into the home: a
// descriptor-relative walk that never follows a symlink (symlinks themselves are re-owned).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "core/base/error.h"

namespace home {

// Asked every few hundred entries whether to go on: an error stops the walk with that error.
using ChownCheck = std::function<Error()>;

// Sets owner `uid` and group `gid` ((uid_t)-1 / (gid_t)-1: leave unchanged) on `name` below
// `parent_fd` and everything inside it, never through a symlink (AT_SYMLINK_NOFOLLOW: a link to
// /etc is re-owned itself, /etc is not touched). ERR_CLONE_FAILED with the OS error on failure.
Error ChownTree(int parent_fd, const std::string& name, uid_t uid, gid_t gid, const ChownCheck& check = {});

}  // namespace home
