// Removes a directory tree that the user may have filled with symlinks, hardlinks, fifos and deep
// nesting, without ever following a symlink: a descriptor-relative walk from `parent_fd`.
#pragma once

#include <functional>
#include <string>

#include "core/base/error.h"

namespace home {

// Asked every few hundred removed entries; true stops the removal where it is (for later).
using RemovalPause = std::function<bool()>;

// Removes `name` below `parent_fd` (a file, a symlink or a whole directory tree). Missing is
// success. ERR_REMOVE_FAILED with the OS error otherwise. When `pause` says so, stops early and
// sets `*paused` (what is left is still a tree that a later call removes).
Error RemoveTree(int parent_fd, const std::string& name, const RemovalPause& pause = {}, bool* paused = nullptr);

}  // namespace home
