// ChownTree: never through a symlink, and stopped by the caller's check (the clone's deadline and
// abort) every few hundred entries.
#include "core/fs/tree_chown.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "core/base/unique_fd.h"
#include "test_fs.h"

namespace home {
namespace {

class TreeChownTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_.path();
    ASSERT_EQ(mkdir((root_ + "/tree").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((root_ + "/outside").c_str(), 0755), 0);
    std::ofstream(root_ + "/outside/file") << "outside\n";
    fd_ = UniqueFd(open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(fd_);
  }

  void Files(int count) {
    for (int i = 0; i < count; ++i) std::ofstream(root_ + "/tree/f" + std::to_string(i)) << i;
  }

  home::test::ScratchDir scratch_;
  std::string root_;
  UniqueFd fd_;
};

TEST_F(TreeChownTest, TheCheckStopsTheWalk) {
  Files(1000);
  int calls = 0;
  const Error e = ChownTree(fd_.get(), "tree", getuid(), getgid(), [&calls] {
    ++calls;
    return MakeError("ERR_CLONE_TIMEOUT", "the clone took longer than 1 ms");
  });
  EXPECT_EQ(e.code, "ERR_CLONE_TIMEOUT");
  EXPECT_EQ(calls, 1) << "the first check's answer ends the walk";
}

TEST_F(TreeChownTest, TheCheckIsAskedEveryFewHundredEntries) {
  Files(1000);
  int calls = 0;
  const Error e = ChownTree(fd_.get(), "tree", getuid(), getgid(), [&calls] {
    ++calls;
    return Error{};
  });
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(calls, 1001 / 256);  // the directory and its 1000 files
}

TEST_F(TreeChownTest, ASymlinkIsReownedItselfAndItsTargetIsNot) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to give files away";
  ASSERT_EQ(symlink((root_ + "/outside/file").c_str(), (root_ + "/tree/file-link").c_str()), 0);
  ASSERT_EQ(symlink((root_ + "/outside").c_str(), (root_ + "/tree/dir-link").c_str()), 0);
  ASSERT_EQ(symlink("/etc", (root_ + "/tree/etc").c_str()), 0);
  struct stat before_file, before_dir, before_etc;
  ASSERT_EQ(stat((root_ + "/outside/file").c_str(), &before_file), 0);
  ASSERT_EQ(stat((root_ + "/outside").c_str(), &before_dir), 0);
  ASSERT_EQ(stat("/etc", &before_etc), 0);
  constexpr uid_t kOwner = 4242;
  ASSERT_TRUE(ChownTree(fd_.get(), "tree", kOwner, kOwner).ok());
  for (const char* link : {"file-link", "dir-link", "etc"}) {
    struct stat st;
    ASSERT_EQ(lstat((root_ + "/tree/" + link).c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kOwner) << link;
    EXPECT_EQ(st.st_gid, kOwner) << link;
  }
  struct stat after_file, after_dir, after_etc;
  ASSERT_EQ(stat((root_ + "/outside/file").c_str(), &after_file), 0);
  ASSERT_EQ(stat((root_ + "/outside").c_str(), &after_dir), 0);
  ASSERT_EQ(stat("/etc", &after_etc), 0);
  EXPECT_EQ(after_file.st_uid, before_file.st_uid);
  EXPECT_EQ(after_file.st_ctim.tv_nsec, before_file.st_ctim.tv_nsec) << "not even chowned to the same owner";
  EXPECT_EQ(after_dir.st_uid, before_dir.st_uid);
  EXPECT_EQ(after_dir.st_ctim.tv_nsec, before_dir.st_ctim.tv_nsec);
  EXPECT_EQ(after_etc.st_uid, before_etc.st_uid);
  EXPECT_EQ(after_etc.st_gid, before_etc.st_gid);
}

}  // namespace
}  // namespace home
