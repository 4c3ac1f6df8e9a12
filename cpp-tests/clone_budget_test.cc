// CloneBudget's arithmetic: each limit crossed by one, not before; the first reason sticks; the
// deadline, the cancel flag and a refused allocation all end the clone with their own code.
#include "core/git/clone_budget.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace home {
namespace {

const std::string kUrl = "https://example.invalid/repo.git";

TEST(CloneBudgetTest, NoLimitsNeverStops) {
  CloneBudget budget(CloneLimits{}, CancelFlag(), kUrl);
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(budget.CountEntry("f").ok());
  EXPECT_TRUE(budget.CountBlob(uint64_t{1} << 40, "big").ok());
  budget.CountReceived(uint64_t{1} << 40);
  EXPECT_TRUE(budget.Check().ok());
  EXPECT_EQ(budget.entries(), 1000u);
  EXPECT_EQ(budget.checkout_bytes(), uint64_t{1} << 40);
  EXPECT_EQ(budget.deadline(), CloneBudget::Clock::time_point::max());
}

TEST(CloneBudgetTest, MaxFilesStopsAtTheFirstEntryPastIt) {
  CloneLimits limits;
  limits.max_files = 3;
  CloneBudget budget(limits, CancelFlag(), kUrl);
  EXPECT_TRUE(budget.CountEntry("a").ok());
  EXPECT_TRUE(budget.CountEntry("b").ok());
  EXPECT_TRUE(budget.CountEntry("c").ok());
  const Error e = budget.CountEntry("d/e");
  EXPECT_EQ(e.code, "ERR_CLONE_TOO_LARGE");
  EXPECT_EQ(e.message, "the repository exceeds maxFiles (3 entries: counted 4 at d/e)");
  EXPECT_EQ(e.path, kUrl);
  // Sticky: every later answer is the same.
  EXPECT_EQ(budget.Check().message, e.message);
  EXPECT_EQ(budget.CountBlob(1, "x").message, e.message);
}

TEST(CloneBudgetTest, MaxFileBytesNamesTheFile) {
  CloneLimits limits;
  limits.max_file_bytes = 100;
  CloneBudget budget(limits, CancelFlag(), kUrl);
  EXPECT_TRUE(budget.CountBlob(100, "exactly").ok());
  const Error e = budget.CountBlob(101, "dir/big.bin");
  EXPECT_EQ(e.code, "ERR_CLONE_TOO_LARGE");
  EXPECT_EQ(e.message, "the repository exceeds maxFileBytes (100 bytes in one file: dir/big.bin has 101)");
  EXPECT_EQ(e.path, "dir/big.bin");
  EXPECT_EQ(budget.checkout_bytes(), 100u) << "the refused file is not counted";
}

TEST(CloneBudgetTest, MaxCheckoutBytesIsTheSum) {
  CloneLimits limits;
  limits.max_checkout_bytes = 10;
  CloneBudget budget(limits, CancelFlag(), kUrl);
  EXPECT_TRUE(budget.CountBlob(4, "a").ok());
  EXPECT_TRUE(budget.CountBlob(6, "b").ok());
  const Error e = budget.CountBlob(1, "c");
  EXPECT_EQ(e.code, "ERR_CLONE_TOO_LARGE");
  EXPECT_EQ(e.message, "the repository exceeds maxCheckoutBytes (10 bytes checked out: counted 11 at c)");
}

TEST(CloneBudgetTest, ReceivedBytesAreTheLargerOfSocketAndPackCounts) {
  CloneLimits limits;
  limits.max_received_bytes = 1000;
  CloneBudget budget(limits, CancelFlag(), kUrl);
  budget.CountReceived(600);
  budget.NotePackBytes(900);
  budget.NotePackBytes(500);  // a second attempt's count restarts lower: the larger stays
  EXPECT_EQ(budget.received_bytes(), 900u);
  EXPECT_TRUE(budget.Check().ok());
  budget.CountReceived(500);
  EXPECT_EQ(budget.received_bytes(), 1100u);
  EXPECT_TRUE(budget.ShouldStop());
  EXPECT_EQ(budget.Check().message, "the repository exceeds maxBytes (1000 received bytes: 1100)");
}

TEST(CloneBudgetTest, TheDeadline) {
  CloneLimits limits;
  limits.timeout = std::chrono::milliseconds(20);
  CloneBudget budget(limits, CancelFlag(), kUrl);
  EXPECT_TRUE(budget.Check().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(budget.Check().code, "ERR_CLONE_TIMEOUT");
  EXPECT_EQ(budget.Check().message, "the clone took longer than 20 ms");
}

TEST(CloneBudgetTest, CancelWinsAndSticks) {
  CancelFlag cancel;
  CloneLimits limits;
  limits.max_files = 1;
  CloneBudget budget(limits, cancel, kUrl);
  EXPECT_TRUE(budget.CountEntry("a").ok());
  // Counting is cheap and does not look at the flag; Check, which the walk calls every few
  // hundred entries, does.
  cancel.Cancel();
  EXPECT_EQ(budget.Check().code, "ERR_ABORTED");
  EXPECT_EQ(budget.CountEntry("b").code, "ERR_ABORTED") << "the first reason sticks, over the limit crossed later";
}

TEST(CloneBudgetTest, ARefusedAllocationIsTheMemoryLimit) {
  CloneLimits limits;
  limits.max_memory_bytes = 1000;
  CloneBudget budget(limits, CancelFlag(), kUrl);
  EXPECT_EQ(budget.heap().cap(), 1000u);
  EXPECT_TRUE(budget.heap().Admit(600));
  budget.heap().Add(600);
  EXPECT_FALSE(budget.heap().Admit(401));
  const Error e = budget.Check();
  EXPECT_EQ(e.code, "ERR_CLONE_TOO_LARGE");
  EXPECT_EQ(e.message, "the repository exceeds maxMemoryBytes (1000 bytes of memory: libgit2 asked for 401 with 600 in use)");
}

TEST(CloneBudgetTest, StopRecordsAReasonThatIsNotALimit) {
  CloneBudget budget(CloneLimits{}, CancelFlag(), kUrl);
  budget.Stop(MakeError("ERR_CLONE_FAILED", "certificate rejected"));
  budget.Stop(MakeError("ERR_ABORTED", "later"));
  EXPECT_EQ(budget.Check().message, "certificate rejected");
}

}  // namespace
}  // namespace home
