// The index a fresh checkout leaves, written as git writes it (the index format's version 2, no
// extensions): every entry of the tree but its directories, in git's order (by path, bytewise),
// each file's and link's with the stat data of what checkout wrote, so that `git status` compares
// stat data instead of hashing the files again. The checkout writer writes it directly: through
// libgit2's index (the tree read into it, each entry's stat data updated, then written) the same
// file took 3 ms of a 1,100-file checkout, about a fifth of it (0.7-0.9 ms here).
#pragma once

#include <git2.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "core/base/error.h"

namespace home {

struct IndexFileEntry {
  const std::string* path;  // relative to the work tree, '/'-separated
  git_oid id;
  uint32_t mode;            // as the tree records it (tree_entry_check.h); a gitlink's stat data is zero
  struct stat st;
};

// Writes `entries` (in any order; two of one path are refused) to `path` through `path`.lock,
// created exclusively and renamed over it, as git and libgit2 write an index.
// ERR_CLONE_FAILED with the OS error.
Error WriteIndexFile(const std::string& path, std::vector<IndexFileEntry> entries);

}  // namespace home
