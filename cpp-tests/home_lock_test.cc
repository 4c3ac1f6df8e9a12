// The per-home lock: exclusive between threads of one process (OFD locks, not POSIX record locks
// that a process shares with itself) and between processes; waits until released; a cancel
// ends the wait; the staging area refuses a planted symlink.
#include "core/home/home_lock.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "test_fs.h"

namespace home {
namespace {

class HomeLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_.path();
    staging_ = root_ + "/.home-native";
  }
  home::test::ScratchDir scratch_;
  std::string root_, staging_;
};

TEST_F(HomeLockTest, SecondHolderInTheSameProcessIsRefused) {
  HomeLock first, second;
  bool acquired = false;
  ASSERT_TRUE(TryLockHome(staging_, "/homes/alice", &first, &acquired).ok());
  ASSERT_TRUE(acquired);
  ASSERT_TRUE(TryLockHome(staging_, "/homes/alice", &second, &acquired).ok());
  EXPECT_FALSE(acquired);
  // Another home is independent.
  HomeLock bob;
  ASSERT_TRUE(TryLockHome(staging_, "/homes/bob", &bob, &acquired).ok());
  EXPECT_TRUE(acquired);
  first.Release();
  first.Release();  // idempotent
  ASSERT_TRUE(TryLockHome(staging_, "/homes/alice", &second, &acquired).ok());
  EXPECT_TRUE(acquired);
  struct stat st;
  ASSERT_EQ(stat(staging_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(HomeLockTest, WaiterGetsTheLockAfterRelease) {
  HomeLock first;
  ASSERT_TRUE(LockHome(staging_, "/homes/alice", CancelFlag(), &first).ok());
  std::atomic<bool> got{false};
  std::thread waiter([&] {
    HomeLock second;
    EXPECT_TRUE(LockHome(staging_, "/homes/alice", CancelFlag(), &second).ok());
    got = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(got.load());
  first.Release();
  waiter.join();
  EXPECT_TRUE(got.load());
}

TEST_F(HomeLockTest, CancelEndsTheWait) {
  HomeLock first;
  ASSERT_TRUE(LockHome(staging_, "/homes/alice", CancelFlag(), &first).ok());
  CancelFlag cancel;
  Error result;
  std::thread waiter([&] {
    HomeLock second;
    result = LockHome(staging_, "/homes/alice", cancel, &second);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  cancel.Cancel();
  waiter.join();
  EXPECT_EQ(result.code, "ERR_ABORTED");
}

TEST_F(HomeLockTest, ExcludesAnotherProcess) {
  HomeLock first;
  ASSERT_TRUE(LockHome(staging_, "/homes/alice", CancelFlag(), &first).ok());
  auto child_can_lock = [&] {
    const pid_t pid = fork();
    if (pid == 0) {
      HomeLock lock;
      bool acquired = false;
      const Error e = TryLockHome(staging_, "/homes/alice", &lock, &acquired);
      _exit(e ? 2 : (acquired ? 0 : 1));
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(child_can_lock(), 1);
  first.Release();
  EXPECT_EQ(child_can_lock(), 0);
}

TEST_F(HomeLockTest, RefusesASymlinkedStagingDir) {
  ASSERT_EQ(symlink("/tmp", staging_.c_str()), 0);
  HomeLock lock;
  bool acquired = false;
  const Error e = TryLockHome(staging_, "/homes/alice", &lock, &acquired);
  EXPECT_EQ(e.code, "ERR_LOCK_FAILED");
  EXPECT_FALSE(acquired);
}

// A holder killed while holding the lock (here: a child that exits without releasing) leaves
// the lock free but marked; the next holder learns it (and sweeps), the one after does not.
TEST_F(HomeLockTest, AHolderThatDiedIsReportedToTheNextOne) {
  {
    HomeLock lock;
    bool acquired = false;
    ASSERT_TRUE(TryLockHome(staging_, "/homes/alice", &lock, &acquired).ok());
    ASSERT_TRUE(acquired);
    EXPECT_FALSE(lock.recovered());
  }  // released normally
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    HomeLock lock;
    bool acquired = false;
    const Error e = TryLockHome(staging_, "/homes/alice", &lock, &acquired);
    _exit(e || !acquired ? 1 : 0);  // _exit: no destructor, as under SIGKILL
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  HomeLock next;
  bool acquired = false;
  ASSERT_TRUE(TryLockHome(staging_, "/homes/alice", &next, &acquired).ok());
  ASSERT_TRUE(acquired);
  EXPECT_TRUE(next.recovered());
  next.Release();
  HomeLock after;
  ASSERT_TRUE(TryLockHome(staging_, "/homes/alice", &after, &acquired).ok());
  ASSERT_TRUE(acquired);
  EXPECT_FALSE(after.recovered());
}

TEST_F(HomeLockTest, RelativeHomeIsRefused) {
  HomeLock lock;
  bool acquired = false;
  EXPECT_EQ(TryLockHome(staging_, "homes/alice", &lock, &acquired).code, "ERR_LOCK_FAILED");
}

}  // namespace
}  // namespace home
