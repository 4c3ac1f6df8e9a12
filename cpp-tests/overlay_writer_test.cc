// The overlay writer on a real filesystem: modes, unchanged detection, whatever the user planted
// at a name, whole-batch rejection, partial failure, cancellation, no temporary file left behind.
#include "core/home/overlay_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "test_fs.h"

namespace home {
namespace {

using test::Build;
using test::Exists;
using test::ReadText;
using test::ScratchDir;
using test::Snapshot;

struct stat Lstat(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st;
}

// Temporary files the writer may have left anywhere below `dir`.
int CountTempFiles(const std::string& dir) {
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(".home-native-", 0) == 0) ++count;
  }
  return count;
}

class OverlayWriterTest : public ::testing::TestWithParam<bool> {
 protected:
  OverlayWriterTest() {
    std::filesystem::create_directories(home_);
    Build(outside_, {"dir/", "target"});
    ::chmod((outside_ + "/target").c_str(), 0600);
    options_.container_home = "/home/alice";
    options_.force_manual_walk = GetParam();
    before_ = Snapshot(outside_);
  }
  ~OverlayWriterTest() override {
    EXPECT_EQ(Snapshot(outside_), before_) << "the tree outside the home changed";
    EXPECT_EQ(CountTempFiles(scratch_.path()), 0);
  }
  Error Write(const std::vector<OverlayFile>& files) {
    return WriteOverlay(home_, files, options_, CancelFlag(), &result_);
  }

  ScratchDir scratch_;
  const std::string home_ = scratch_ / "home";
  const std::string outside_ = scratch_ / "outside";
  HomeOptions options_;
  OverlayResult result_;
  std::string before_;
};

TEST_P(OverlayWriterTest, WritesNestedFilesWithExactModesWhateverTheUmask) {
  mode_t old = ::umask(077);
  Error e = Write({{".bashrc", "rc", false},
                   {".local/bin/tool", "#!/bin/sh\n", true},
                   {"/home/alice/.config/app/conf", "c", false},
                   {"d\xc3\xa9j\xc3\xa0/\xe2\x9c\x93", "unicode", false},
                   {"empty", "", false}});
  ::umask(old);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(result_.written, 5u);
  EXPECT_EQ(result_.unchanged, 0u);
  EXPECT_EQ(ReadText(home_ + "/.bashrc"), "rc");
  EXPECT_EQ(ReadText(home_ + "/.config/app/conf"), "c");
  EXPECT_EQ(ReadText(home_ + "/d\xc3\xa9j\xc3\xa0/\xe2\x9c\x93"), "unicode");
  EXPECT_EQ(Lstat(home_ + "/.bashrc").st_mode & 07777, 0644u);
  EXPECT_EQ(Lstat(home_ + "/.local/bin/tool").st_mode & 07777, 0755u);
  EXPECT_EQ(Lstat(home_ + "/.local").st_mode & 07777, 0755u);
  EXPECT_EQ(Lstat(home_ + "/empty").st_size, 0);
}

TEST_P(OverlayWriterTest, UnchangedFilesAreLeftAlone) {
  const std::string big(300 * 1024 + 7, 'b');  // several compare chunks
  std::vector<OverlayFile> files = {{"a/x", "same", false}, {"a/tool", "#!", true}, {"big", big, false}};
  ASSERT_TRUE(Write(files).ok());
  struct stat x = Lstat(home_ + "/a/x"), big_st = Lstat(home_ + "/big");
  ASSERT_TRUE(Write(files).ok());
  EXPECT_EQ(result_.written, 0u);
  EXPECT_EQ(result_.unchanged, 3u);
  struct stat x2 = Lstat(home_ + "/a/x"), big2 = Lstat(home_ + "/big");
  EXPECT_EQ(x2.st_ino, x.st_ino);
  EXPECT_EQ(x2.st_mtim.tv_nsec, x.st_mtim.tv_nsec);
  EXPECT_EQ(x2.st_mtim.tv_sec, x.st_mtim.tv_sec);
  EXPECT_EQ(big2.st_ino, big_st.st_ino);

  // A changed byte at the very end, a changed mode, a changed size: each is rewritten.
  files[2].bytes.back() = 'c';
  files[1].executable = false;
  files[0].bytes = "longer";
  ASSERT_TRUE(Write(files).ok());
  EXPECT_EQ(result_.written, 3u);
  EXPECT_EQ(ReadText(home_ + "/big"), files[2].bytes);
  EXPECT_EQ(Lstat(home_ + "/a/tool").st_mode & 07777, 0644u);
  EXPECT_NE(Lstat(home_ + "/a/x").st_ino, x.st_ino);

  // Same bytes but the user chmod'ed it: mode is part of "unchanged".
  ::chmod((home_ + "/a/x").c_str(), 0666);
  ASSERT_TRUE(Write(files).ok());
  EXPECT_EQ(result_.written, 1u);
  EXPECT_EQ(Lstat(home_ + "/a/x").st_mode & 07777, 0644u);
}

TEST_P(OverlayWriterTest, HardlinkToAnOutsideFileIsReplacedNotWrittenThrough) {
  // An outside file that already has the very bytes and mode we write: only nlink tells it apart.
  test::WriteText(outside_ + "/shared", "same", 0644);
  ASSERT_EQ(::link((outside_ + "/shared").c_str(), (home_ + "/.same").c_str()), 0);
  ASSERT_EQ(::link((outside_ + "/target").c_str(), (home_ + "/.hard").c_str()), 0);
  ASSERT_TRUE(Write({{".same", "same", false}, {".hard", "new", true}}).ok());
  EXPECT_EQ(result_.written, 2u);
  EXPECT_EQ(ReadText(home_ + "/.hard"), "new");
  EXPECT_EQ(ReadText(outside_ + "/target"), "target");
  EXPECT_EQ(Lstat(outside_ + "/target").st_mode & 07777, 0600u);
  EXPECT_EQ(Lstat(outside_ + "/target").st_nlink, 1u);
  EXPECT_EQ(Lstat(outside_ + "/shared").st_nlink, 1u);
  EXPECT_NE(Lstat(home_ + "/.hard").st_ino, Lstat(outside_ + "/target").st_ino);
  ::unlink((outside_ + "/shared").c_str());
}

TEST_P(OverlayWriterTest, FinalSymlinksThatLeadOutAreReplaced) {
  Build(home_, {"out => " + outside_ + "/target", "dangling => " + outside_ + "/new", "dir-link => " + outside_ + "/dir",
                "up => ../outside/target", "loop-a => loop-b", "loop-b => loop-a", "to-dir => sub", "sub/",
                "to-marker => .spoon/env-hash", ".spoon/", ".spoon/env-hash", "missing-dir => nowhere/f"});
  ASSERT_TRUE(Write({{"out", "1", false},
                     {"dangling", "2", false},
                     {"dir-link", "3", false},
                     {"up", "4", false},
                     {"loop-a", "5", false},
                     {"to-dir", "6", false},
                     {"to-marker", "7", false},
                     {"missing-dir", "8", false}})
                  .ok());
  EXPECT_EQ(result_.written, 8u);
  EXPECT_FALSE(Exists(outside_ + "/new"));
  EXPECT_FALSE(Exists(home_ + "/nowhere"));
  EXPECT_EQ(ReadText(home_ + "/.spoon/env-hash"), ".spoon/env-hash");
  for (const char* name : {"out", "dangling", "dir-link", "up", "loop-a", "to-dir", "to-marker", "missing-dir"})
    EXPECT_TRUE(S_ISREG(Lstat(home_ + "/" + name).st_mode)) << name;
  EXPECT_TRUE(S_ISLNK(Lstat(home_ + "/loop-b").st_mode));
  EXPECT_TRUE(S_ISDIR(Lstat(home_ + "/sub").st_mode));
}

// What dotfiles managers make (rcm, stow, dotbot): the overlay lands in the target, the link stays.
TEST_P(OverlayWriterTest, FinalSymlinksThatStayInsideAreWrittenThrough) {
  Build(home_, {".dotfiles/", ".dotfiles/bashrc", ".dotfiles/vimrc", ".dotfiles/conf/", ".config/",
                ".bashrc => .dotfiles/bashrc",                              // relative
                ".vimrc => /home/alice/.dotfiles/vimrc",                    // container-absolute
                ".gitconfig => " + home_ + "/.dotfiles/gitconfig",           // host-absolute, dangling inside
                ".config/app => ../.dotfiles/conf",                         // a linked directory
                ".config/app.conf => ../.config/app/../../.dotfiles/conf/x",  // ".." through that link
                ".profile => .chain", ".chain => .dotfiles/profile"});      // two links in a row
  const std::vector<OverlayFile> files = {{".bashrc", "b", false},       {".vimrc", "v", true},
                                          {".gitconfig", "g", false},    {".config/app/settings", "s", false},
                                          {".config/app.conf", "x", false}, {".profile", "p", false}};
  Error e = Write(files);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(result_.written, 6u);
  EXPECT_EQ(ReadText(home_ + "/.dotfiles/bashrc"), "b");
  EXPECT_EQ(ReadText(home_ + "/.dotfiles/vimrc"), "v");
  EXPECT_EQ(Lstat(home_ + "/.dotfiles/vimrc").st_mode & 07777, 0755u);
  EXPECT_EQ(ReadText(home_ + "/.dotfiles/gitconfig"), "g");
  EXPECT_EQ(ReadText(home_ + "/.dotfiles/conf/settings"), "s");
  EXPECT_EQ(ReadText(home_ + "/.dotfiles/conf/x"), "x");
  EXPECT_EQ(ReadText(home_ + "/.dotfiles/profile"), "p");
  for (const char* link : {".bashrc", ".vimrc", ".gitconfig", ".config/app", ".config/app.conf", ".profile", ".chain"})
    EXPECT_TRUE(S_ISLNK(Lstat(home_ + "/" + link).st_mode)) << link;
  // The unchanged rule holds at the target: a second run writes nothing.
  const struct stat before = Lstat(home_ + "/.dotfiles/bashrc");
  ASSERT_TRUE(Write(files).ok());
  EXPECT_EQ(result_.written, 0u);
  EXPECT_EQ(result_.unchanged, 6u);
  EXPECT_EQ(Lstat(home_ + "/.dotfiles/bashrc").st_ino, before.st_ino);
}

// A setup run on the host with HOME set to the home's host path (localRunner) makes absolute links
// to that path: on the way, they lead into the home like container-absolute ones.
TEST_P(OverlayWriterTest, DirectoryLinksToTheHomesHostPathAreFollowed) {
  Build(home_, {".dotfiles/", ".dotfiles/app/", ".config/", ".config/app => " + home_ + "/.dotfiles/app",
                ".config/out => " + scratch_ / "home-look-alike"});
  Error e = Write({{".config/app/settings", "s", false}, {".config/out/x", "x", false}});
  EXPECT_EQ(e.code, "ERR_OVERLAY_FAILED");
  EXPECT_EQ(ReadText(home_ + "/.dotfiles/app/settings"), "s");
  ASSERT_EQ(result_.failures.size(), 1u);
  EXPECT_EQ(result_.failures[0].code, "ERR_SYMLINK_ESCAPE");
  EXPECT_FALSE(Exists(scratch_ / "home-look-alike"));
}

TEST_P(OverlayWriterTest, FifoAndSocketAreReplacedWithoutHanging) {
  ASSERT_EQ(::mkfifo((home_ + "/fifo").c_str(), 0644), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = home_ + "/sock";
  ASSERT_LT(sock_path.size(), sizeof addr.sun_path);
  std::copy(sock_path.begin(), sock_path.end(), addr.sun_path);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(sock);
  ASSERT_TRUE(Write({{"fifo", "f", false}, {"sock", "s", false}}).ok());
  EXPECT_EQ(ReadText(home_ + "/fifo"), "f");
  EXPECT_EQ(ReadText(home_ + "/sock"), "s");
}

TEST_P(OverlayWriterTest, DirectoryInTheWayIsAnErrorAndOthersAreWritten) {
  Build(home_, {"d/keep"});
  const std::string inside = Snapshot(home_ + "/d");
  Error e = Write({{"d", "x", false}, {"ok", "y", false}});
  EXPECT_EQ(e.code, "ERR_OVERLAY_FAILED");
  ASSERT_EQ(result_.failures.size(), 1u);
  EXPECT_EQ(result_.failures[0].code, "ERR_IS_DIRECTORY");
  EXPECT_EQ(result_.failures[0].path, "d");
  EXPECT_EQ(Snapshot(home_ + "/d"), inside);
  EXPECT_EQ(ReadText(home_ + "/ok"), "y");
  EXPECT_EQ(result_.written, 1u);
}

TEST_P(OverlayWriterTest, PartialFailureWritesTheRestAndNamesEveryFailure) {
  Build(home_, {"esc => " + outside_, "file", "loop => loop"});
  Error e = Write({{"esc/x", "1", false},
                   {"a/ok", "2", false},
                   {"file/x", "3", false},
                   {"loop/x", "4", false},
                   {"b/ok", "5", true}});
  EXPECT_EQ(e.code, "ERR_OVERLAY_FAILED");
  ASSERT_EQ(result_.failures.size(), 3u);
  EXPECT_EQ(result_.failures[0].path, "esc/x");
  EXPECT_EQ(result_.failures[0].code, "ERR_SYMLINK_ESCAPE");
  EXPECT_EQ(result_.failures[1].code, "ERR_NOT_DIRECTORY");
  EXPECT_EQ(result_.failures[2].code, "ERR_SYMLINK_LOOP");
  for (const char* path : {"esc/x", "file/x", "loop/x"}) EXPECT_NE(e.message.find(path), std::string::npos) << path;
  EXPECT_EQ(result_.written, 2u);
  EXPECT_EQ(ReadText(home_ + "/a/ok"), "2");
  EXPECT_EQ(ReadText(home_ + "/b/ok"), "5");
}

TEST_P(OverlayWriterTest, BadPathsRejectTheWholeBatchBeforeAnyWrite) {
  Error e = Write({{"good", "1", false},
                   {"../x", "2", false},
                   {"/etc/passwd", "3", false},
                   {".spoon/env-hash", "4", false},
                   {"dup", "5", false},
                   {"./dup", "6", false},
                   {"p", "7", false},
                   {"p/child", "8", false}});
  EXPECT_EQ(e.code, "ERR_INVALID_PATH");
  std::vector<std::string> paths;
  for (const Error& f : result_.failures) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"../x", "/etc/passwd", ".spoon/env-hash", "dup", "./dup", "p"}));
  EXPECT_EQ(result_.failures[2].code, "ERR_RESERVED_PATH");
  for (const std::string& p : paths) EXPECT_NE(e.message.find("'" + p + "'"), std::string::npos) << p;
  EXPECT_EQ(Snapshot(home_), "");
}

TEST_P(OverlayWriterTest, OnlyReservedPathsSayReserved) {
  Error e = Write({{".spoon/a", "1", false}, {".spoon", "2", false}, {"ok", "3", false}});
  EXPECT_EQ(e.code, "ERR_RESERVED_PATH");
  EXPECT_EQ(result_.failures.size(), 2u);
  EXPECT_EQ(Snapshot(home_), "");
}

TEST_P(OverlayWriterTest, CancelledBeforeTheFirstFileWritesNothing) {
  CancelFlag cancel;
  cancel.Cancel();
  Error e = WriteOverlay(home_, {{"a", "1", false}, {"b", "2", false}}, options_, cancel, &result_);
  EXPECT_EQ(e.code, "ERR_ABORTED");
  EXPECT_EQ(result_.written, 0u);
  EXPECT_EQ(Snapshot(home_), "");
}

TEST_P(OverlayWriterTest, MissingHomeIsHomeInvalid) {
  Error e = WriteOverlay(scratch_ / "nope", {{"a", "1", false}}, options_, CancelFlag(), &result_);
  EXPECT_EQ(e.code, "ERR_HOME_INVALID");
}

TEST_P(OverlayWriterTest, OwnerWhenRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "fchown to another user needs root";
  options_.uid = 4242;
  options_.gid = 4343;
  ASSERT_TRUE(Write({{"a/b", "1", false}}).ok());
  EXPECT_EQ(Lstat(home_ + "/a/b").st_uid, 4242u);
  EXPECT_EQ(Lstat(home_ + "/a/b").st_gid, 4343u);
  EXPECT_EQ(Lstat(home_ + "/a").st_uid, 4242u);
  // Same bytes and mode, same owner: unchanged. Another owner asked for: rewritten.
  ASSERT_TRUE(Write({{"a/b", "1", false}}).ok());
  EXPECT_EQ(result_.unchanged, 1u);
  options_.uid = 4444;
  ASSERT_TRUE(Write({{"a/b", "1", false}}).ok());
  EXPECT_EQ(result_.written, 1u);
  EXPECT_EQ(Lstat(home_ + "/a/b").st_uid, 4444u);
}

// As an ordinary user: a read-only directory is EACCES for its files (and no temporary file is
// left), the others are written.
TEST_P(OverlayWriterTest, ReadOnlyDirectoryAsAnOrdinaryUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to an ordinary uid in a child";
  Build(home_, {"ro/old"});
  ::chmod(scratch_.path().c_str(), 0755);  // mkdtemp's 0700 would stop the child at the door
  for (const char* p : {"", "/ro", "/ro/old"}) ASSERT_EQ(::chown((home_ + p).c_str(), 65534, 65534), 0);
  ::chmod((home_ + "/ro").c_str(), 0555);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
    OverlayResult result;
    Error e = WriteOverlay(home_, {{"ro/new", "1", false}, {"ro/old", "2", false}, {"fine", "3", false}}, options_,
                           CancelFlag(), &result);
    bool ok = e.code == "ERR_OVERLAY_FAILED" && result.failures.size() == 2 && result.failures[0].sys_errno == EACCES &&
              result.failures[1].sys_errno == EACCES && result.written == 1;
    ::_exit(ok ? 0 : 11);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(ReadText(home_ + "/ro/old"), "ro/old");
  EXPECT_EQ(ReadText(home_ + "/fine"), "3");
  EXPECT_FALSE(Exists(home_ + "/ro/new"));
}

// A failure after the temporary file exists (fchown refused to an ordinary user) removes it.
TEST_P(OverlayWriterTest, NoTemporaryFileSurvivesAFailedWrite) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch to an ordinary uid in a child";
  ASSERT_EQ(::chown(home_.c_str(), 65534, 65534), 0);
  ::chmod(scratch_.path().c_str(), 0755);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(10);
    HomeOptions options = options_;
    options.uid = 0;  // giving a file to root is refused to others: EPERM after the temp file exists
    OverlayResult result;
    Error e = WriteOverlay(home_, {{"f", "1", false}}, options, CancelFlag(), &result);
    ::_exit(e.code == "ERR_OVERLAY_FAILED" && result.failures.at(0).sys_errno == EPERM ? 0 : 11);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(Snapshot(home_), "");
}

// Large enough for several writer threads: every file lands, failures come back in input order,
// and directories two threads both need are created once.
TEST_P(OverlayWriterTest, LargeBatchAcrossThreads) {
  Build(home_, {"esc => " + outside_, "shared/"});
  std::vector<OverlayFile> files;
  for (int i = 0; i < 3000; ++i) {
    std::string dir =
        (i % 97 == 0) ? "esc/" : "shared/d" + std::to_string(i % 150) + "/s" + std::to_string(i % 3) + "/";
    files.push_back({dir + "f" + std::to_string(i), "content " + std::to_string(i), i % 5 == 0});
  }
  Error e = Write(files);
  EXPECT_EQ(e.code, "ERR_OVERLAY_FAILED");
  size_t escapes = 0;
  for (int i = 0; i < 3000; i += 97) ++escapes;
  ASSERT_EQ(result_.failures.size(), escapes);
  for (size_t k = 0; k < result_.failures.size(); ++k) {
    EXPECT_EQ(result_.failures[k].path, "esc/f" + std::to_string(k * 97));
    EXPECT_EQ(result_.failures[k].code, "ERR_SYMLINK_ESCAPE");
  }
  EXPECT_EQ(result_.written, 3000 - escapes);
  for (int i = 1; i < 3000; i += 211) {
    if (i % 97 == 0) continue;
    std::string p =
        home_ + "/shared/d" + std::to_string(i % 150) + "/s" + std::to_string(i % 3) + "/f" + std::to_string(i);
    EXPECT_EQ(ReadText(p), "content " + std::to_string(i));
    EXPECT_EQ(Lstat(p).st_mode & 07777, i % 5 == 0 ? 0755u : 0644u);
  }
  // And the unchanged re-run, threaded too.
  files.erase(
      std::remove_if(files.begin(), files.end(), [](const OverlayFile& f) { return f.path.rfind("esc/", 0) == 0; }),
      files.end());
  ASSERT_TRUE(Write(files).ok());
  EXPECT_EQ(result_.unchanged, files.size());
}

TEST_P(OverlayWriterTest, CancelledMidwayAcrossThreadsStops) {
  std::vector<OverlayFile> files;
  for (int i = 0; i < 20000; ++i)
    files.push_back({"d" + std::to_string(i % 300) + "/f" + std::to_string(i), "x", false});
  CancelFlag cancel;
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    cancel.Cancel();
  });
  Error e = WriteOverlay(home_, files, options_, cancel, &result_);
  canceller.join();
  EXPECT_EQ(e.code, "ERR_ABORTED");
  EXPECT_LT(result_.written, files.size());
  EXPECT_TRUE(result_.failures.empty());
}

INSTANTIATE_TEST_SUITE_P(Resolvers, OverlayWriterTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "ManualWalk" : "Openat2";
                         });

}  // namespace
}  // namespace home
