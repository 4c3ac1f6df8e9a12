// The budget walk: every entry of the tree a clone is about to check out, counted and checked
// before libgit2 writes the first file, and before libgit2's checkout builds its list of the whole
// tree (a step with no callback, so no deadline, of its own). It stops the moment a limit is
// crossed: a git bomb of 12 objects that would check out 10^10 files is refused after maxFiles
// entries, in milliseconds.
#pragma once

#include <git2.h>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/git/clone_budget.h"

namespace home {

// One entry of the tree, as checkout writes it: in the walk's order, every directory before what
// it holds.
struct TreeEntryToWrite {
  std::string path;
  git_oid id;
  uint32_t mode;  // as the tree records it (tree_entry_check.h: kModeTree, kModeBlob, ...)
  size_t parent;  // the index of its directory's entry, earlier in the list; kTopDirectory
};

// The parent of an entry of the top directory, which is the work tree itself.
constexpr size_t kTopDirectory = SIZE_MAX;

// A deque, not a vector: with the limits lifted a walk can list millions of entries before its
// deadline, and a vector's doubling then copies them all in one step the deadline cannot reach.
using TreeEntries = std::deque<TreeEntryToWrite>;

struct BudgetWalkResult {
  // Whether any directory holds a .gitattributes: without one no filter can apply (the global
  // and system attribute files are out of reach, git_runtime.cc, and a fresh repository has no
  // info/attributes), so checkout may skip its per-file attribute lookups.
  bool has_attributes = false;
  // The paths of the tree's gitlinks (submodules' commits), as the walk met them.
  std::vector<std::string> gitlinks;
  // Every entry, for the checkout writer (checkout_writer.h).
  TreeEntries entries;
};

// Walks the tree of `commit` iteratively (an explicit stack, however deep the tree), charging `budget` with
// each entry (maxFiles) and each blob's size read from its object header without inflating it
// (maxFileBytes, maxCheckoutBytes), looking at the deadline and the cancel flag every few hundred
// entries. Refused, as ERR_CLONE_UNSAFE_PATH with the entry's path: a name git refuses
// (tree_entry_check.h), a file mode git does not write, two entries of one name in one directory
// (a symlink `x` beside a directory `x`), an entry whose object is not of its mode's type, a
// tree libgit2 cannot parse (an empty name), a component over 255 bytes or a path over 4096
// (what the overlay allows too). A crossed limit is
// the budget's error (ERR_CLONE_TOO_LARGE naming the option, ERR_CLONE_TIMEOUT, ERR_ABORTED).
Error BudgetWalk(git_repository* repo, git_commit* commit, CloneBudget* budget, BudgetWalkResult* result);

}  // namespace home
