// HeapAccount and the allocator libgit2 calls: allocations in scope are charged and refused past
// the cap, frees return what was charged, scopes nest, and libgit2 itself unwinds cleanly from a
// refused allocation (run under ASan by scripts/reliability.sh).
#include "core/git/heap_account.h"

#include <git2.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "core/git/git_runtime.h"
#include "test_fs.h"

namespace home {
namespace {

TEST(HeapAccountTest, Arithmetic) {
  HeapAccount account(100);
  EXPECT_TRUE(account.Admit(100));
  account.Add(60);
  EXPECT_TRUE(account.Admit(40));
  EXPECT_FALSE(account.Admit(41));
  EXPECT_TRUE(account.refused());
  EXPECT_EQ(account.refused_size(), 41u);
  EXPECT_EQ(account.live_when_refused(), 60u);
  EXPECT_FALSE(account.Admit(uint64_t{1} << 63)) << "no overflow in the sum";
  EXPECT_EQ(account.refused_size(), 41u) << "the first refusal is kept";
  account.Remove(1000);
  EXPECT_EQ(account.live(), 0u) << "never below zero";
  EXPECT_EQ(account.peak(), 60u);
}

TEST(HeapAccountTest, ZeroCapCountsWithoutALimit) {
  HeapAccount account(0);
  EXPECT_TRUE(account.Admit(uint64_t{1} << 62));
  EXPECT_FALSE(account.refused());
}

TEST(HeapAccountTest, TheAllocatorChargesOnlyInScope) {
  void* outside = AccountedMalloc(1000, __FILE__, __LINE__);
  ASSERT_NE(outside, nullptr);
  HeapAccount account(64 * 1024);
  {
    const HeapAccount::Scope scope(account);
    void* p = AccountedMalloc(1000, __FILE__, __LINE__);
    ASSERT_NE(p, nullptr);
    EXPECT_GE(account.live(), 1000u);
    p = AccountedRealloc(p, 20000, __FILE__, __LINE__);
    ASSERT_NE(p, nullptr);
    EXPECT_GE(account.live(), 20000u);
    EXPECT_EQ(AccountedMalloc(60000, __FILE__, __LINE__), nullptr) << "over the cap";
    EXPECT_TRUE(account.refused());
    EXPECT_EQ(AccountedRealloc(p, 100000, __FILE__, __LINE__), nullptr) << "growth over the cap";
    p = AccountedRealloc(p, 100, __FILE__, __LINE__);  // shrinking is always allowed
    ASSERT_NE(p, nullptr);
    AccountedFree(p);
    EXPECT_EQ(account.live(), 0u);
  }
  void* after = AccountedMalloc(1 << 20, __FILE__, __LINE__);
  ASSERT_NE(after, nullptr) << "no scope, no account";
  AccountedFree(after);
  AccountedFree(outside);
  EXPECT_EQ(account.live(), 0u);
}

TEST(HeapAccountTest, ScopesNest) {
  HeapAccount outer(0);
  HeapAccount inner(0);
  const HeapAccount::Scope a(outer);
  void* p = AccountedMalloc(100, __FILE__, __LINE__);
  {
    const HeapAccount::Scope b(inner);
    void* q = AccountedMalloc(100, __FILE__, __LINE__);
    EXPECT_GT(inner.live(), 0u);
    AccountedFree(q);
  }
  EXPECT_EQ(inner.live(), 0u);
  EXPECT_GT(outer.live(), 0u);
  AccountedFree(p);
  EXPECT_EQ(outer.live(), 0u);
}

// libgit2 sees NULL from our allocator and reports out of memory, at every cap from almost
// nothing upwards, without crashing or leaking what it had taken.
TEST(HeapAccountTest, LibgitUnwindsFromARefusedAllocation) {
  ASSERT_TRUE(EnsureGitRuntime().ok());
  home::test::ScratchDir scratch;
  const std::string root = scratch.path();
  int refused = 0;
  for (uint64_t cap = 256; cap <= 256 * 1024; cap *= 2) {
    const std::string dir = root + "/" + std::to_string(cap);
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    HeapAccount account(cap);
    {
      const HeapAccount::Scope scope(account);
      git_repository* repo = nullptr;
      const int rc = git_repository_init(&repo, dir.c_str(), 0);
      if (rc < 0) {
        ++refused;
        EXPECT_TRUE(account.refused()) << "cap " << cap << ": " << git_error_last()->message;
        EXPECT_EQ(git_error_last()->klass, GIT_ERROR_NOMEMORY) << "cap " << cap;
      }
      git_repository_free(repo);
    }
    // What the repository took is given back; libgit2 keeps a few bytes of per-thread and
    // process-wide state (its error buffer, caches made on first use) across calls.
    EXPECT_LT(account.live(), 1024u) << "cap " << cap << ": the repository's memory was given back";
  }
  EXPECT_GT(refused, 0) << "the smallest caps must refuse";
  EXPECT_LT(refused, 11) << "the largest cap must be enough";
}

}  // namespace
}  // namespace home
