// The heap libgit2 holds for one clone, counted by an allocator of ours that libgit2 calls for
// every allocation it makes. libgit2 inflates whole objects in memory (a delta's result while
// it indexes, a commit at parse time, each blob at checkout) and buffers a ref advertisement
// whole: a hostile repository's sizes would otherwise be the worker's memory. With an account
// in scope on a thread, an allocation that would take the account over its cap fails; libgit2
// reports it as out of memory and unwinds, and the clone reports which limit was crossed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/base/error.h"

namespace home {

class HeapAccount {
 public:
  // `cap`: the most live heap allowed; 0 counts without a limit.
  explicit HeapAccount(uint64_t cap) : cap_(cap) {}
  HeapAccount(const HeapAccount&) = delete;
  HeapAccount& operator=(const HeapAccount&) = delete;

  uint64_t cap() const { return cap_; }
  uint64_t live() const { return live_; }
  uint64_t peak() const { return peak_; }
  // The first allocation refused, if any: what was asked for, and what was live then.
  bool refused() const { return refused_size_ != 0; }
  uint64_t refused_size() const { return refused_size_; }
  uint64_t live_when_refused() const { return live_when_refused_; }

  // For the allocator. Whether `bytes` more may be taken; the first refusal is remembered.
  bool Admit(uint64_t bytes);
  void Add(uint64_t bytes);
  // Frees of blocks this account never saw (allocated before its scope) do not take it below 0.
  void Remove(uint64_t bytes) { live_ = bytes > live_ ? 0 : live_ - bytes; }

  // While alive, libgit2's allocations and frees on this thread are charged to `account`.
  // Scopes nest; the innermost is charged.
  class Scope {
   public:
    explicit Scope(HeapAccount& account);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    HeapAccount* previous_;
  };

 private:
  uint64_t cap_;
  uint64_t live_ = 0;
  uint64_t peak_ = 0;
  uint64_t refused_size_ = 0;
  uint64_t live_when_refused_ = 0;
};

// Hands libgit2 the accounting allocator (GIT_OPT_SET_ALLOCATOR). Must run before
// git_libgit2_init, which keeps an allocator set before it (git_runtime.cc does this once).
Error InstallAccountingAllocator();

// For the tests: the allocator's entry points, as libgit2 calls them.
void* AccountedMalloc(size_t bytes, const char* file, int line);
void* AccountedRealloc(void* ptr, size_t bytes, const char* file, int line);
void AccountedFree(void* ptr);

}  // namespace home
