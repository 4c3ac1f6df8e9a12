// The staging area: private, refuses what it must, and a sweep removes only the clone
// directories nobody holds (debris of a crashed process), never one in use.
#include "core/staging.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace home {
namespace {

class StagingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/home-staging-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { (void)std::system(("rm -rf '" + root_ + "'").c_str()); }
  bool Exists(const std::string& rel) {
    struct stat st;
    return lstat((root_ + "/" + rel).c_str(), &st) == 0;
  }
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

TEST_F(StagingTest, SweepRemovesOnlyUnheldCloneDirs) {
  UniqueFd staging;
  ASSERT_TRUE(OpenStagingDir(root_ + "/s", "ERR_CLONE_FAILED", &staging).ok());
  std::string live, dead;
  UniqueFd live_lock, dead_lock;
  ASSERT_TRUE(MakeCloneDir(staging.get(), root_ + "/s", &live, &live_lock).ok());
  ASSERT_TRUE(MakeCloneDir(staging.get(), root_ + "/s", &dead, &dead_lock).ok());
  ASSERT_NE(live, dead);
  ASSERT_EQ(std::system(("mkdir -p " + root_ + "/s/" + dead + "/a/b && ln -s / " + root_ + "/s/" + dead + "/a/root").c_str()), 0);
  ASSERT_EQ(mkdir((root_ + "/s/locks").c_str(), 0700), 0);
  dead_lock.reset();  // its process "died"
  SweepStaleCloneDirs(staging.get());  // the grace period protects young entries
  EXPECT_TRUE(Exists("s/" + dead));
  SweepStaleCloneDirs(staging.get(), 0);
  EXPECT_FALSE(Exists("s/" + dead));
  EXPECT_TRUE(Exists("s/" + live)) << "held: in use";
  EXPECT_TRUE(Exists("s/locks")) << "not a clone directory";
}

}  // namespace
}  // namespace home
