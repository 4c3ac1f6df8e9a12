// The clone's budget inside the repository's object database, where libgit2 has no callback of
// its own to ask it:
//   - writepack (what a fetch writes the pack through): the stream is read on its way to the
//     disk (pack_header_scanner.h, on a thread of its own one chunk ahead: pack_scan_thread.h),
//     and an object announced over maxFileBytes is refused before anything inflates it further.
//     Without it a zlib bomb (3 GiB of zeros in 3 MB of pack) costs seconds of CPU before the
//     budget walk can refuse it. The scanner keeps the objects it inflates, whole ones and
//     offset deltas applied to kept bases, and names them (pack_object_cache.h). While it names
//     every object, the pack goes to a file of ours and its index is written from those names
//     (pack_writer.h); from the first object it cannot keep or name (a delta by id, an object
//     over the kept limits), the pack goes to libgit2's indexer, our file so far first, and the
//     kept objects are named by the index libgit2 writes.
//   - read: every object read asks the budget first. Checkout writes its files with no callback
//     that can stop it (its notify callback runs before the first write), and reads each file's
//     blob as it goes: this is where the deadline and the abort reach that phase. An object the
//     scanner kept is then copied out, not inflated from the pack again (and its header, asked
//     for alone, is answered too).
// How: a backend of ours, first in the repository's list, with only those methods; writepack
// wraps the writepack of the repository's own pack backend, read passes every other object on to
// the backends behind it.
#pragma once

#include <git2.h>

#include <atomic>
#include <cstdint>

#include "core/base/error.h"
#include "core/git/clone_budget.h"
#include "core/git/pack_object_cache.h"

namespace home {

struct OdbGuardCounts {
  std::atomic<uint64_t> objects_from_stream{0};  // reads answered from the kept objects
  std::atomic<uint64_t> packs_indexed_here{0};   // packs whose index was written from the scanner's names
  std::atomic<uint64_t> packs_indexed_by_libgit2{0};
};

// Adds the guard to `repo`'s object database; `budget` and `counts` (if any) must outlive the
// repository.
Error GuardObjectDatabase(git_repository* repo, CloneBudget* budget, OdbGuardCounts* counts = nullptr);

// The objects the last pack fetched into a guarded repository kept, read straight from memory:
// for the checkout writer's threads, whose own repository handles have no guard, and to which a
// read through libgit2 would be a copy (and, without the guard, an inflate from the pack). Each
// object found counts as a read the guard answered. Valid until the repository is freed or
// fetches again; the kept objects are read-only meanwhile, so any thread may ask.
class KeptObjects {
 public:
  explicit KeptObjects(git_repository* repo);  // finds nothing when the guard is not there
  const PackObjectCache::Object* Find(const git_oid& id) const;

 private:
  const PackObjectCache* cache_ = nullptr;
  OdbGuardCounts* counts_ = nullptr;
};

}  // namespace home
