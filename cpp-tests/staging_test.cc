// The staging area: private, refuses what it must, and a sweep removes only the clone
// directories nobody holds (debris of a crashed process), never one in use.
#include "core/home/staging.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "test_fs.h"

namespace home {
namespace {

class StagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_.path();
  }
  bool Exists(const std::string& rel) {
    struct stat st;
    return lstat((root_ + "/" + rel).c_str(), &st) == 0;
  }
  home::test::ScratchDir scratch_;
  std::string root_;
};

TEST_F(StagingTest, CreatesPrivateAndRefusesSymlinkAndFile) {
  UniqueFd fd;
  ASSERT_TRUE(OpenStagingDir(root_ + "/s", "ERR_CLONE_FAILED", &fd).ok());
  struct stat st;
  ASSERT_EQ(fstat(fd.get(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(chmod((root_ + "/s").c_str(), 0777), 0);
  ASSERT_TRUE(OpenStagingDir(root_ + "/s", "ERR_CLONE_FAILED", &fd).ok());
  ASSERT_EQ(stat((root_ + "/s").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "loosened permissions are tightened again";
  ASSERT_EQ(symlink(root_.c_str(), (root_ + "/link").c_str()), 0);
  EXPECT_EQ(OpenStagingDir(root_ + "/link", "ERR_CLONE_FAILED", &fd).code, "ERR_CLONE_FAILED");
  ASSERT_EQ(close(open((root_ + "/file").c_str(), O_CREAT | O_WRONLY, 0600)), 0);
  EXPECT_EQ(OpenStagingDir(root_ + "/file", "ERR_LOCK_FAILED", &fd).code, "ERR_LOCK_FAILED");
  EXPECT_EQ(OpenStagingDir("relative", "ERR_CLONE_FAILED", &fd).code, "ERR_CLONE_FAILED");
}

TEST_F(StagingTest, StagedDirIsClaimedAndCleansUp) {
  UniqueFd staging;
  ASSERT_TRUE(OpenStagingDir(root_ + "/s", "ERR_CLONE_FAILED", &staging).ok());
  std::string name;
  {
    std::unique_ptr<StagedDir> dir;
    ASSERT_TRUE(StagedDir::Create(staging.get(), root_ + "/s", &dir).ok());
    name = dir->name();
    EXPECT_TRUE(Exists("s/" + name));
    EXPECT_TRUE(Exists("s/" + name + ".lock"));
    ASSERT_EQ(std::system(("mkdir -p " + root_ + "/s/" + name + "/a && ln -s / " + root_ + "/s/" + name + "/a/root").c_str()), 0);
    SweepStaleCloneDirs(staging.get(), 0);
    EXPECT_TRUE(Exists("s/" + name)) << "claimed: a sweep leaves it";
  }
  EXPECT_FALSE(Exists("s/" + name));
  EXPECT_FALSE(Exists("s/" + name + ".lock"));
}

TEST_F(StagingTest, SweepRemovesWhatACrashedProcessLeft) {
  UniqueFd staging;
  ASSERT_TRUE(OpenStagingDir(root_ + "/s", "ERR_CLONE_FAILED", &staging).ok());
  // A child process claims a directory, fills it, and dies without cleaning up.
  const pid_t pid = fork();
  if (pid == 0) {
    std::unique_ptr<StagedDir> dir;
    if (!StagedDir::Create(staging.get(), root_ + "/s", &dir).ok()) _exit(1);
    const std::string path = root_ + "/s/" + dir->name();
    _exit(std::system(("mkdir -p " + path + "/x/y && ln -s / " + path + "/x/root").c_str()) == 0 ? 0 : 2);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // Plus an orphan directory with no lock file, and the home locks directory.
  ASSERT_EQ(mkdir((root_ + "/s/clone-orphan").c_str(), 0700), 0);
  ASSERT_EQ(mkdir((root_ + "/s/locks").c_str(), 0700), 0);
  std::unique_ptr<StagedDir> live;
  ASSERT_TRUE(StagedDir::Create(staging.get(), root_ + "/s", &live).ok());

  SweepStaleCloneDirs(staging.get());  // the grace period protects a young orphan
  EXPECT_TRUE(Exists("s/clone-orphan"));
  EXPECT_EQ(std::system(("test $(ls " + root_ + "/s | wc -l) -eq 4").c_str()), 0) << "the dead clone's pair is gone";
  SweepStaleCloneDirs(staging.get(), 0);
  EXPECT_FALSE(Exists("s/clone-orphan"));
  EXPECT_TRUE(Exists("s/" + live->name()));
  EXPECT_TRUE(Exists("s/" + live->name() + ".lock"));
  EXPECT_TRUE(Exists("s/locks"));
  EXPECT_TRUE(Exists("")) << "the symlink to / was not followed";
  EXPECT_EQ(std::system(("test $(ls " + root_ + "/s | wc -l) -eq 3").c_str()), 0);
}

// Many clones start while others sweep (every clone sweeps at its start): a sweep that opens a
// claim in the instant between its creation and its lock must neither fail the claim nor take it
// for a dead one. Seen as "claiming a clone directory: EAGAIN" with twenty homes at once.
TEST_F(StagingTest, ClaimsSurviveSweepsRunningBesideThem) {
  UniqueFd staging;
  ASSERT_TRUE(OpenStagingDir(root_ + "/s", "ERR_CLONE_FAILED", &staging).ok());
  std::atomic<bool> stop{false};
  std::thread sweeper([&] {
    while (!stop) SweepStaleCloneDirs(staging.get(), 0);
  });
  int failures = 0, lost = 0;
  std::string first_failure;
  for (int i = 0; i < 3000; ++i) {
    std::unique_ptr<StagedDir> dir;
    if (const Error e = StagedDir::Create(staging.get(), root_ + "/s", &dir); !e.ok()) {
      if (failures++ == 0) first_failure = e.message;
      continue;
    }
    // The claim must still be ours: its lock file in place, the directory there.
    if (!Exists("s/" + dir->name() + ".lock") || !Exists("s/" + dir->name())) ++lost;
  }
  stop = true;
  sweeper.join();
  EXPECT_EQ(failures, 0) << "the first: " << first_failure;
  EXPECT_EQ(lost, 0);
  SweepStaleCloneDirs(staging.get(), 0);
  EXPECT_EQ(std::system(("test $(ls -A " + root_ + "/s | wc -l) -eq 0").c_str()), 0) << "no claim or directory left";
}

}  // namespace
}  // namespace home
