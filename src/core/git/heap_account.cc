#include "core/git/heap_account.h"

#include <git2.h>
#include <git2/sys/alloc.h>

#include <cstdlib>

#ifdef __APPLE__
#include <malloc/malloc.h>
#else
#include <malloc.h>  // malloc_usable_size (glibc, musl)
#endif

namespace home {
namespace {

thread_local HeapAccount* current_account = nullptr;

// What the C library really handed out for `ptr` (at least what was asked for): the same
// figure on allocation and on free, so that the account returns to where it was.
size_t UsableSize(void* ptr) {
#ifdef __APPLE__
  return malloc_size(ptr);
#else
  return malloc_usable_size(ptr);
#endif
}

}  // namespace

bool HeapAccount::Admit(uint64_t bytes) {
  if (cap_ == 0 || (bytes <= cap_ && live_ <= cap_ - bytes)) return true;
  if (refused_size_ == 0) {
    refused_size_ = bytes;
    live_when_refused_ = live_;
  }
  return false;
}

void HeapAccount::Add(uint64_t bytes) {
  live_ += bytes;
  if (live_ > peak_) peak_ = live_;
}

HeapAccount::Scope::Scope(HeapAccount& account) : previous_(current_account) { current_account = &account; }

HeapAccount::Scope::~Scope() { current_account = previous_; }

void* AccountedMalloc(size_t bytes, const char*, int) {
  HeapAccount* account = current_account;
  if (account == nullptr) return std::malloc(bytes);
  if (!account->Admit(bytes)) return nullptr;
  void* ptr = std::malloc(bytes);
  if (ptr != nullptr) account->Add(UsableSize(ptr));
  return ptr;
}

void* AccountedRealloc(void* ptr, size_t bytes, const char*, int) {
  HeapAccount* account = current_account;
  if (account == nullptr) return std::realloc(ptr, bytes);
  const size_t before = ptr != nullptr ? UsableSize(ptr) : 0;
  // Charged by its growth: what stays live afterwards is the new block alone (a block that
  // moves exists twice for the length of the copy, which no account can foresee).
  if (bytes > before && !account->Admit(bytes - before)) return nullptr;
  void* moved = std::realloc(ptr, bytes);
  if (moved == nullptr) return nullptr;  // the old block is untouched and still counted
  account->Remove(before);
  account->Add(UsableSize(moved));
  return moved;
}

void AccountedFree(void* ptr) {
  if (ptr == nullptr) return;
  if (HeapAccount* account = current_account) account->Remove(UsableSize(ptr));
  std::free(ptr);
}

// libgit2 1.7 cut git_allocator down to these three entry points (1.6 had nine); 1.8 and 1.9 keep
// them. Older headers would compile into a struct libgit2 reads differently.
static_assert(LIBGIT2_VER_MAJOR > 1 || LIBGIT2_VER_MINOR >= 7, "libgit2 >= 1.7: git_allocator has three members");

Error InstallAccountingAllocator() {
  git_allocator allocator = {};
  allocator.gmalloc = AccountedMalloc;
  allocator.grealloc = AccountedRealloc;
  allocator.gfree = AccountedFree;
  if (git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &allocator) < 0) {
    return MakeError("ERR_CLONE_FAILED", "libgit2 refused the accounting allocator");
  }
  return {};
}

}  // namespace home
