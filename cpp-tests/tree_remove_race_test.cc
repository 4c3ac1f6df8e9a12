// RemoveTree against an attacker on another thread (another core) that keeps turning a
// directory inside the tree into a symlink to the outside and back, and moving directories
// around, while the tree is removed. Whatever happens (removed, or ERR_REMOVE_FAILED when the
// attacker keeps refilling), nothing outside is ever removed or changed.
// HOME_NATIVE_RACE_ITERATIONS sets the number of trees removed (CI runs many thousands).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

#include "core/base/unique_fd.h"
#include "core/fs/tree_remove.h"
#include "test_fs.h"

namespace home {
namespace {

int Iterations() {
  const char* env = std::getenv("HOME_NATIVE_RACE_ITERATIONS");
  return env && *env ? std::atoi(env) : 300;
}

TEST(TreeRemoveRaceTest, ASwapperNeverGetsAnythingOutsideRemoved) {
  test::ScratchDir scratch;
  const std::string home = scratch / "home";
  const std::string outside = scratch / "outside";
  ASSERT_EQ(mkdir(home.c_str(), 0755), 0);
  test::Build(outside, {"d/", "d/inner", "sentinel", "e/", "e/deep/", "e/deep/file"});
  const std::string before = test::Snapshot(outside);
  UniqueFd home_fd(::open(home.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(home_fd.valid());

  std::atomic<bool> stop{false};
  // The attacker pauses while the test rebuilds the tree: the test's own helpers follow links.
  enum : int { kRun, kPauseRequested, kPaused };
  std::atomic<int> state{kRun};
  std::atomic<long> swaps{0};
  const std::string a = home + "/victim/a";
  const std::string b = home + "/victim/a/b";
  std::thread attacker([&] {
    long n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      if (state.load() == kPauseRequested) {
        state.store(kPaused);
        while (state.load() == kPaused && !stop.load()) std::this_thread::yield();
        continue;
      }
      // a: directory -> moved aside -> symlink to outside -> gone -> directory with content.
      (void)std::rename(a.c_str(), (home + "/aside-" + std::to_string(n++ % 4)).c_str());
      (void)symlink(outside.c_str(), a.c_str());
      (void)unlink(a.c_str());
      if (mkdir(a.c_str(), 0755) == 0) (void)symlink((outside + "/e").c_str(), b.c_str());
      swaps.fetch_add(1, std::memory_order_relaxed);
    }
  });

  const int iterations = Iterations();
  std::map<std::string, int> outcomes;
  std::string failure;
  for (int i = 0; i < iterations && failure.empty(); ++i) {
    state.store(kPauseRequested);
    while (state.load() != kPaused) std::this_thread::yield();
    (void)RemoveTree(home_fd.get(), "victim");  // what the attacker left; never follows links
    for (int k = 0; k < 4; ++k) (void)RemoveTree(home_fd.get(), "aside-" + std::to_string(k));
    test::Build(home, {"victim/", "victim/f", "victim/a/", "victim/a/f1", "victim/a/c/", "victim/a/c/f2", "victim/z/",
                       "victim/z/f3"});
    state.store(kRun);
    const Error e = RemoveTree(home_fd.get(), "victim");
    ++outcomes[e.ok() ? "removed" : e.code];
    if (!e.ok() && e.code != "ERR_REMOVE_FAILED") failure = e.code + ": " + e.message;
    if (i % 64 == 0 && test::Snapshot(outside) != before) failure = "outside changed after iteration " + std::to_string(i);
  }
  state.store(kRun);
  stop = true;
  attacker.join();
  EXPECT_EQ(failure, "");
  EXPECT_EQ(test::Snapshot(outside), before);
  std::string summary;
  for (const auto& [what, count] : outcomes) summary += " " + what + "=" + std::to_string(count);
  std::printf("tree-remove race: iterations=%d swaps=%ld%s\n", iterations, swaps.load(), summary.c_str());
  RecordProperty("swaps", std::to_string(swaps.load()));
}

}  // namespace
}  // namespace home
