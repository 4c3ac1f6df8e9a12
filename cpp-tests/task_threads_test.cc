// A set of task threads: never more tasks at once than the limit, queued tasks all run, and a raised
// limit lets queued tasks start.
#include "core/base/task_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace home {
namespace {

TEST(TaskThreads, RespectsTheLimitAndRunsEverything) {
  TaskThreads threads(2, "test-threads");
  std::atomic<int> running{0}, peak{0}, done{0};
  constexpr int kTasks = 12;
  for (int i = 0; i < kTasks; ++i) {
    threads.Submit([&] {
      const int now = ++running;
      int seen = peak.load();
      while (now > seen && !peak.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      --running;
      ++done;
    });
  }
  for (int i = 0; i < 500 && done.load() < kTasks; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(done.load(), kTasks);
  EXPECT_EQ(peak.load(), 2);
}

TEST(TaskThreads, RaisingTheLimitStartsQueuedTasks) {
  TaskThreads threads(1, "test-threads");
  std::mutex mutex;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> started{0};
  for (int i = 0; i < 3; ++i) {
    threads.Submit([&] {
      ++started;
      std::unique_lock<std::mutex> lock(mutex);
      cv.wait(lock, [&] { return release; });
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(started.load(), 1);
  threads.SetLimit(3);
  for (int i = 0; i < 200 && started.load() < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(started.load(), 3);
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  cv.notify_all();
  // Let the detached threads leave the tasks before `threads` and the locals go away.
  for (int i = 0; i < 100; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace
}  // namespace home
