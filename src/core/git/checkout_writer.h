// Checkout's file writing on more than one core. libgit2's checkout writes one file after another
// on one thread, and for a thousand-file dotfiles repository that is a third of a clone; writing
// the files is independent work, so this writer spreads the tree's entries, directories and files
// alike, over a few threads (an entry waits only for its own directory), each reading the blobs
// the pack stream kept straight from memory (odb_guard.h: KeptObjects) and any other through a
// repository handle of its own (libgit2 objects are not shared between threads), then writes the
// index libgit2's checkout would write (index_file.h), with every file's stat data, so that
// `git status` in the container finds the tree clean without hashing it again.
//
// Only for a fresh work tree that no filter applies to (no .gitattributes anywhere: the budget
// walk looked); anything else goes through libgit2's checkout. The work tree is in the private
// staging area, where nobody else writes, and every entry already passed the budget walk's checks
// (names, modes, no two entries of one name), so paths are used as they are.
#pragma once

#include <git2.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "core/base/error.h"
#include "core/git/budget_walk.h"
#include "core/git/clone_budget.h"

namespace home {

// Called on the calling thread as files are written: (written so far, total).
using CheckoutProgressFn = std::function<void(size_t done, size_t total)>;

// Writes `entries` (a budget walk's, of the commit HEAD points at) into `repo`'s work tree and
// its index. `threads` writers at most, this one included; fewer for small trees. Stops at the
// budget's reason (the deadline, the abort) within a few files. ERR_CLONE_FAILED with the OS
// error for a file that cannot be written.
Error WriteCheckout(git_repository* repo, const TreeEntries& entries, CloneBudget* budget,
                    const CheckoutProgressFn& progress, size_t threads);

}  // namespace home
