// Removes a directory tree that the user may have filled with symlinks, hardlinks, fifos and deep
// nesting, without ever following a symlink: a descriptor-relative walk from `parent_fd`.
#pragma once

#include <string>

#include "core/error.h"

namespace home {

// Removes `name` below `parent_fd` (a file, a symlink or a whole directory tree). Missing is
// success. ERR_REMOVE_FAILED with the OS error otherwise.
Error RemoveTree(int parent_fd, const std::string& name);

}  // namespace home
