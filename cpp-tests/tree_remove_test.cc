// RemoveTree: removes what it is given, never what a symlink or hardlink points to, copes with
// read-only directories and trees deeper than the descriptor budget.
#include "core/fs/tree_remove.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core/base/unique_fd.h"
#include "test_fs.h"

namespace home {
namespace {

using test::Build;
using test::Exists;
using test::ScratchDir;
using test::Snapshot;

UniqueFd OpenDir(const std::string& path) { return UniqueFd(::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)); }

TEST(TreeRemoveTest, RemovesATreeButNothingItsLinksPointTo) {
  ScratchDir scratch;
  Build(scratch / "outside", {"dir/", "dir/keep", "target"});
  ::chmod((scratch / "outside/target").c_str(), 0600);
  const std::string before = Snapshot(scratch / "outside");
  Build(scratch / "home", {"t/a/b/c/file", "t/a/l => " + (scratch / "outside"), "t/rel => ../../outside/dir",
                           "t/x/dangling => /nowhere", "t/empty/"});
  ASSERT_EQ(::link((scratch / "outside/target").c_str(), (scratch / "home/t/hard").c_str()), 0);
  ASSERT_EQ(::mkfifo((scratch / "home/t/fifo").c_str(), 0644), 0);
  UniqueFd home = OpenDir(scratch / "home");
  ASSERT_TRUE(RemoveTree(home.get(), "t").ok());
  EXPECT_FALSE(Exists(scratch / "home/t"));
  // Content, mode, inode and link count of everything outside are as they were.
  EXPECT_EQ(Snapshot(scratch / "outside"), before);
}

TEST(TreeRemoveTest, MissingIsSuccessAndSingleEntriesAreUnlinked) {
  ScratchDir scratch;
  Build(scratch.path(), {"file", "link => /etc", "dir/"});
  UniqueFd dir = OpenDir(scratch.path());
  EXPECT_TRUE(RemoveTree(dir.get(), "missing").ok());
  EXPECT_TRUE(RemoveTree(dir.get(), "file").ok());
  EXPECT_TRUE(RemoveTree(dir.get(), "link").ok());
  EXPECT_TRUE(RemoveTree(dir.get(), "dir").ok());
  EXPECT_FALSE(Exists(scratch / "file"));
  EXPECT_FALSE(Exists(scratch / "link"));
  EXPECT_FALSE(Exists(scratch / "dir"));
  EXPECT_TRUE(Exists("/etc/passwd"));
}

TEST(TreeRemoveTest, RefusesNamesThatAreNotOneComponent) {
  ScratchDir scratch;
  UniqueFd dir = OpenDir(scratch.path());
  for (const char* name : {"", ".", "..", "a/b"}) EXPECT_EQ(RemoveTree(dir.get(), name).code, "ERR_REMOVE_FAILED");
}

TEST(TreeRemoveTest, ReadOnlyDirectories) {
  ScratchDir scratch;
  Build(scratch.path(), {"t/ro/sub/file", "t/ro/file", "t/noread/file"});
  ::chmod((scratch / "t/ro/sub").c_str(), 0555);
  ::chmod((scratch / "t/ro").c_str(), 0500);
  ::chmod((scratch / "t/noread").c_str(), 0300);
  UniqueFd dir = OpenDir(scratch.path());
  EXPECT_TRUE(RemoveTree(dir.get(), "t").ok());
  EXPECT_FALSE(Exists(scratch / "t"));
}

TEST(TreeRemoveTest, ReadOnlyDirectoriesAsAnOrdinaryUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to an ordinary uid in a child";
  ScratchDir scratch;
  Build(scratch.path(), {"t/ro/sub/file", "t/ro/file", "t/noread/file"});
  ASSERT_EQ(::chown(scratch.path().c_str(), 65534, 65534), 0);
  for (const char* p : {"t", "t/ro", "t/ro/sub", "t/ro/sub/file", "t/ro/file", "t/noread", "t/noread/file"}) {
    ASSERT_EQ(::chown((scratch / p).c_str(), 65534, 65534), 0);
  }
  ::chmod((scratch / "t/ro/sub").c_str(), 0555);
  ::chmod((scratch / "t/ro").c_str(), 0500);
  ::chmod((scratch / "t/noread").c_str(), 0300);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    UniqueFd dir = OpenDir(scratch.path());
    ::_exit(RemoveTree(dir.get(), "t").ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(Exists(scratch / "t"));
}

TEST(TreeRemoveTest, DeeperThanTheDescriptorBudget) {
  ScratchDir scratch;
  constexpr int kDepth = 3000;  // well past the walker's held-descriptor window and the usual fd limit
  {
    UniqueFd cur(::open(scratch.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_EQ(::mkdirat(cur.get(), "deep", 0755), 0);
    cur.reset(::openat(cur.get(), "deep", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    for (int i = 0; i < kDepth; ++i) {
      ASSERT_EQ(::mkdirat(cur.get(), "d", 0755), 0);
      int fd = ::openat(cur.get(), "f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
      ::close(fd);
      UniqueFd next(::openat(cur.get(), "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      ASSERT_TRUE(next.valid());
      cur = std::move(next);
    }
  }
  UniqueFd dir = OpenDir(scratch.path());
  Error e = RemoveTree(dir.get(), "deep");
  EXPECT_TRUE(e.ok()) << e.message;
  EXPECT_FALSE(Exists(scratch / "deep"));
}

TEST(TreeRemoveTest, WideDirectory) {
  ScratchDir scratch;
  Build(scratch.path(), {"w/"});
  for (int i = 0; i < 2000; ++i) test::WriteText(scratch / ("w/f" + std::to_string(i)), "x");
  UniqueFd dir = OpenDir(scratch.path());
  EXPECT_TRUE(RemoveTree(dir.get(), "w").ok());
  EXPECT_FALSE(Exists(scratch / "w"));
}

// A pause leaves a tree that a later call removes: what StagedDir hands to a background thread.
TEST(TreeRemoveTest, APauseStopsTheRemovalAndALaterCallFinishesIt) {
  ScratchDir scratch;
  std::vector<std::string> spec;
  for (int d = 0; d < 4; ++d) {
    for (int f = 0; f < 300; ++f) spec.push_back("t/d" + std::to_string(d) + "/f" + std::to_string(f));
  }
  Build(scratch / "home", spec);
  UniqueFd home = OpenDir(scratch / "home");
  int asked = 0;
  bool paused = false;
  ASSERT_TRUE(RemoveTree(home.get(), "t", [&asked] { return ++asked == 2; }, &paused).ok());
  EXPECT_TRUE(paused);
  EXPECT_EQ(asked, 2) << "asked every 256 entries, stopped at the first yes";
  EXPECT_TRUE(Exists(scratch / "home/t")) << "the rest is still there";
  ASSERT_TRUE(RemoveTree(home.get(), "t", [] { return false; }, &paused).ok());
  EXPECT_FALSE(paused);
  EXPECT_FALSE(Exists(scratch / "home/t"));
}

TEST(TreeRemoveTest, SocketsAndFifosAreJustEntries) {
  ScratchDir scratch;
  Build(scratch.path(), {"t/"});
  ASSERT_EQ(::mkfifo((scratch / "t/fifo").c_str(), 0600), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sock_path = scratch / "t/sock";
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(sock);
  UniqueFd dir = OpenDir(scratch.path());
  EXPECT_TRUE(RemoveTree(dir.get(), "t").ok());
  EXPECT_FALSE(Exists(scratch / "t"));
}

}  // namespace
}  // namespace home
