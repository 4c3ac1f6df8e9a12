// CloneInto / CloneIntoHome against real repositories made with the git CLI: a local path, and
// git daemon over git://, where a shallow fetch is refused mid-stream (the peer closes the
// socket: without SIGPIPE handling this binary would die) and the full-fetch fallback runs.
#include "core/home/clone_swap.h"

#include <arpa/inet.h>
#include <git2.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/base/task_threads.h"
#include "core/git/clone.h"
#include "test_fs.h"

namespace home {
namespace {

using home::test::Sh;

class CloneTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new home::test::ScratchDir();
    root_ = scratch_->path();
    const std::string git = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";
    ASSERT_EQ(Sh("cd " + root_ + " && " + git + "init -q --initial-branch=main work && cd work && echo hi > a.txt && " +
                 "ln -s a.txt link && " + git + "add . && " + git + "commit -qm one && echo two > b.txt && " + git +
                 "add . && " + git + "commit -qm two && cd .. && " + git + "clone -q --bare work repo.git"),
              0);
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  static home::test::ScratchDir* scratch_;
  static std::string root_;
};
std::string CloneTest::root_;
home::test::ScratchDir* CloneTest::scratch_ = nullptr;

CloneSpec FileSpec(const std::string& url) {
  CloneSpec spec;
  spec.url = url;
  spec.allowed_protocols = {"file", "git"};
  // The git daemon of these tests listens on loopback, which the policy refuses by default.
  spec.allowed_networks = {"127.0.0.0/8", "::1/128"};
  return spec;
}

TEST_F(CloneTest, ClonesALocalPathIntoAFreshDirectory) {
  const std::string dir = root_ + "/plain";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  CloneResult result;
  const Error e = CloneInto(dir, FileSpec(root_ + "/repo.git"), CancelFlag(), {}, &result);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(result.ref, "refs/heads/main");
  EXPECT_EQ(result.commit.size(), 40u);
  struct stat st;
  ASSERT_EQ(lstat((dir + "/link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

// With a file limit the pack streams through the scanner, which keeps its whole objects: checkout
// reads them from memory (odb_guard.h), and what it writes is what git wrote. Without one, every
// object comes from the pack.
TEST_F(CloneTest, ChecksOutFromTheObjectsThePackStreamKept) {
  for (uint64_t max_memory : {uint64_t{0}, uint64_t{64} << 20}) {
    for (uint64_t max_file : {uint64_t{0}, uint64_t{1} << 20}) {
      const std::string dir = root_ + "/kept-" + std::to_string(max_memory) + "-" + std::to_string(max_file);
      ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
      CloneSpec spec = FileSpec(root_ + "/repo.git");
      spec.max_file_bytes = max_file;
      spec.max_memory_bytes = max_memory;
      CloneResult result;
      const Error e = CloneInto(dir, spec, CancelFlag(), {}, &result);
      ASSERT_TRUE(e.ok()) << e.message;
      std::ifstream a(dir + "/a.txt"), b(dir + "/b.txt");
      std::string line_a, line_b;
      std::getline(a, line_a);
      std::getline(b, line_b);
      EXPECT_EQ(line_a, "hi");
      EXPECT_EQ(line_b, "two");
      // The commit, its tree and the three blobs (a.txt, b.txt, the link's target) at least.
      if (max_file != 0) {
        EXPECT_GE(result.objects_from_stream, 4u) << "memory " << max_memory;
      } else {
        EXPECT_EQ(result.objects_from_stream, 0u) << "memory " << max_memory << ", file " << max_file;
      }
    }
  }
}

TEST_F(CloneTest, CancelledBeforeStartIsAborted) {
  const std::string dir = root_ + "/cancelled";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  CancelFlag cancel;
  cancel.Cancel();
  CloneResult result;
  EXPECT_EQ(CloneInto(dir, FileSpec(root_ + "/repo.git"), cancel, {}, &result).code, "ERR_ABORTED");
}

TEST_F(CloneTest, SwapsIntoTheHomeReplacingASymlinkAndLeavesNoDebris) {
  const std::string base = root_ + "/homes";
  const std::string home = base + "/alice";
  ASSERT_EQ(Sh("mkdir -p " + home + " " + root_ + "/outside && ln -s " + root_ + "/outside " + home + "/.dotfiles"), 0);
  CloneRequest request;
  request.spec = FileSpec(root_ + "/repo.git");
  request.home_dir = home;
  request.staging_dir = base + "/.home-native";
  CloneResult result;
  const Error e = CloneIntoHome(request, CancelFlag(), {}, &result);
  ASSERT_TRUE(e.ok()) << e.message;
  struct stat st;
  ASSERT_EQ(lstat((home + "/.dotfiles").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(Sh("test -f " + home + "/.dotfiles/b.txt"), 0);
  EXPECT_EQ(Sh("test -z \"$(ls -A " + root_ + "/outside)\""), 0) << "the symlink's target is untouched";
  EXPECT_EQ(Sh("test -z \"$(ls -A " + request.staging_dir + ")\""), 0) << "no debris";
  // A failing clone keeps what is there.
  request.spec.ref = "no-such-ref";
  EXPECT_EQ(CloneIntoHome(request, CancelFlag(), {}, &result).code, "ERR_REF_NOT_FOUND");
  EXPECT_EQ(Sh("test -f " + home + "/.dotfiles/b.txt"), 0);
  EXPECT_EQ(Sh("test -z \"$(ls -A " + request.staging_dir + ")\""), 0) << "no debris";
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// git daemon serving the repositories under `base` on a free loopback port, for as long as it
// lives: upload-pack's own packs (with offset deltas), as a git server sends them.
class GitDaemon {
 public:
  explicit GitDaemon(const std::string& base) : port_(FreePort()) {
    pid_ = fork();
    if (pid_ == 0) {
      const std::string port_arg = "--port=" + std::to_string(port_);
      const std::string base_arg = "--base-path=" + base;
      execlp("git", "git", "daemon", "--export-all", "--reuseaddr", "--listen=127.0.0.1", port_arg.c_str(),
             base_arg.c_str(), base.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    // Until it listens.
    for (int i = 0; i < 200; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr = {};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port_);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      close(fd);
      if (up) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~GitDaemon() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  GitDaemon(const GitDaemon&) = delete;
  GitDaemon& operator=(const GitDaemon&) = delete;

  std::string Url(const std::string& repo) const { return "git://localhost:" + std::to_string(port_) + "/" + repo; }

 private:
  int port_;
  pid_t pid_ = -1;
};

// With SIGPIPE at its default action, as outside Node: the clone runs on a clone thread, which
// blocks SIGPIPE, and the process survives git daemon hanging up on the shallow request.
// libgit2 1.7 and 1.8 stumble over git daemon's shallow answer ("expected SHA1 list"), and the
// clone falls back to a full fetch; 1.9 (the static build's) reads it and stays shallow
// (libgit2 PR 6973). Either way `shallow` must say what was fetched.
TEST_F(CloneTest, GitDaemonShallowOrTheFallbackFetchesEverything) {
  const GitDaemon daemon(root_);
  signal(SIGPIPE, SIG_DFL);
  const std::string dir = root_ + "/via-daemon";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  CloneSpec spec = FileSpec(daemon.Url("repo.git"));
  Error error;
  CloneResult result;
  bool done = false;
  std::mutex mutex;
  std::condition_variable cv;
  TaskThreads::Clones().Submit([&] {
    Error e = CloneInto(dir, spec, CancelFlag(), {}, &result);
    std::lock_guard<std::mutex> lock(mutex);
    error = e;
    done = true;
    cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait_for(lock, std::chrono::seconds(60), [&] { return done; });
  }
  signal(SIGPIPE, SIG_IGN);
  ASSERT_TRUE(done);
  ASSERT_TRUE(error.ok()) << error.message;
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  const bool reads_daemon_shallow = major > 1 || (major == 1 && minor >= 9);
  EXPECT_EQ(result.shallow, reads_daemon_shallow);
  struct stat st;
  EXPECT_EQ(stat((dir + "/.git/shallow").c_str(), &st) == 0, reads_daemon_shallow);
  EXPECT_EQ(result.ref, "refs/heads/main");
}

// Files that differ a little, served by git daemon: upload-pack sends most of them as offset
// deltas against one another, and the pack scanner applies those as the pack streams in
// (pack_object_cache.h), so that checkout reads every file from memory, deltas too, and writes
// each as git does.
TEST_F(CloneTest, ChecksOutDeltasFromTheObjectsThePackStreamMade) {
  const std::string git = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(Sh("cd " + root_ + " && " + git + "init -q --initial-branch=main similar && cd similar && " +
               "seq 1 2000 > base && for i in $(seq 1 12); do sed \"${i}0s/$/ edit $i/\" base > f$i; done && rm base && " + git +
               "add . && " + git + "commit -qm one && cd .. && " + git + "clone -q --bare similar similar.git"),
            0);
  const GitDaemon daemon(root_);
  const std::string dir = root_ + "/similar-clone";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  CloneSpec spec = FileSpec(daemon.Url("similar.git"));
  spec.max_file_bytes = uint64_t{1} << 20;
  CloneResult result;
  const Error e = CloneInto(dir, spec, CancelFlag(), {}, &result);
  ASSERT_TRUE(e.ok()) << e.message;
  // The pack did hold deltas; every file is as git checks it out.
  EXPECT_EQ(Sh("cd " + dir + " && test $(" + git + "verify-pack -v .git/objects/pack/*.idx | awk '$2 == \"blob\" && NF >= 7' | wc -l) -ge 6"), 0)
      << "deltas in the pack";
  EXPECT_EQ(Sh("cd " + dir + " && " + git + "diff --quiet HEAD"), 0) << "files as committed";
  EXPECT_EQ(Sh("cd " + dir + " && test -z \"$(" + git + "status --porcelain)\""), 0) << "a clean status";
  for (int i = 1; i <= 12; ++i) {
    std::ifstream f(dir + "/f" + std::to_string(i));
    std::string line;
    for (int n = 0; n < i * 10 && std::getline(f, line);) ++n;
    EXPECT_EQ(line, std::to_string(i * 10) + " edit " + std::to_string(i)) << "f" << i;
  }
  // The commit, its tree and the 12 blobs, deltas among them.
  EXPECT_GE(result.objects_from_stream, 14u);
  // Named by the scanner, the index its own, and git finds nothing wrong with either.
  EXPECT_EQ(result.packs_indexed_here, 1u);
  EXPECT_EQ(result.packs_indexed_by_libgit2, 0u);
  EXPECT_EQ(Sh("cd " + dir + " && " + git + "fsck --full --strict --no-progress 2>&1 | grep -q . && exit 1; exit 0"), 0)
      << "git fsck is silent";
}

// A tree deep and wide enough for both checkout writers (over 512 files): directories 40 levels
// deep, each holding files and the next, so that the entry after each directory (handed to
// whichever writer asks next) goes into it at once; a file beside each, a link in each. What
// the writers leave is what git checks out, and the index is clean.
TEST_F(CloneTest, TwoCheckoutWritersWriteADeepTreeAsGitDoes) {
  const std::string git = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(Sh("cd " + root_ + " && " + git + "init -q --initial-branch=main deep && cd deep && d=. && " +
               "for l in $(seq 1 40); do d=$d/l$l; mkdir $d; for f in $(seq 1 15); do echo $l $f > $d/f$f; done; " +
               "ln -s f1 $d/link; echo top $l > t$l; done && " + git + "add -A && " + git + "commit -qm deep && cd .. && " +
               git + "clone -q --bare deep deep.git && " + git + "clone -q deep.git deep-by-git"),
            0);
  for (const uint64_t max_file : {uint64_t{1} << 20, uint64_t{0}}) {  // from the kept objects, and from the pack
    const std::string dir = root_ + "/deep-" + std::to_string(max_file);
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    CloneSpec spec = FileSpec(root_ + "/deep.git");
    spec.max_file_bytes = max_file;
    CloneResult result;
    const Error e = CloneInto(dir, spec, CancelFlag(), {}, &result);
    ASSERT_TRUE(e.ok()) << e.message;
    EXPECT_EQ(Sh("diff -r --no-dereference -x .git " + root_ + "/deep-by-git " + dir), 0) << "as git checks it out";
    EXPECT_EQ(Sh("cd " + dir + " && test -z \"$(" + git + "status --porcelain)\""), 0) << "a clean status";
    if (max_file != 0) {
      // Every one of the 680 files and links read from memory (the commit and the trees too).
      EXPECT_GE(result.objects_from_stream, 680u);
    }
  }
}

TEST_F(CloneTest, APackTheScannerCannotNameWholeGoesToLibgit2sIndexer) {
  // A 2 MiB file, over what the scanner keeps (1 MiB an object), between small ones: from that
  // object on, libgit2's indexer has the pack, the bytes before it replayed from our file. Over
  // git's daemon (deltas by offset) and file:// (libgit2's pack builder: deltas by id), where a
  // pack of small files alone is named here.
  const std::string git = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";
  ASSERT_EQ(Sh("cd " + root_ + " && " + git + "init -q --initial-branch=main mixed && cd mixed && " +
               "seq 1 3000 > small1 && seq 2 3000 > small2 && head -c 2097152 /dev/urandom > big && " + git +
               "add . && " + git + "commit -qm one && seq 5 3000 >> small1 && " + git + "commit -qam two && cd .. && " + git +
               "clone -q --bare mixed mixed.git"),
            0);
  const GitDaemon daemon(root_);
  int n = 0;
  for (const std::string& url : {daemon.Url("mixed.git"), root_ + "/mixed.git", root_ + "/repo.git"}) {
    const std::string dir = root_ + "/mixed-clone-" + std::to_string(n++);
    ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
    CloneSpec spec = FileSpec(url);
    spec.max_file_bytes = uint64_t{8} << 20;
    spec.depth = url.find("repo.git") != std::string::npos ? 0 : 1;
    CloneResult result;
    const Error e = CloneInto(dir, spec, CancelFlag(), {}, &result);
    ASSERT_TRUE(e.ok()) << url << ": " << e.message;
    const bool small = url.find("repo.git") != std::string::npos;
    EXPECT_EQ(result.packs_indexed_here, small ? 1u : 0u) << url;
    EXPECT_EQ(result.packs_indexed_by_libgit2, small ? 0u : 1u) << url;
    EXPECT_EQ(Sh("cd " + dir + " && " + git + "diff --quiet HEAD && test -z \"$(" + git + "status --porcelain)\""), 0) << url;
    EXPECT_EQ(Sh("cd " + dir + " && " + git + "fsck --full --strict --no-progress 2>&1 | grep -q . && exit 1; exit 0"), 0) << url;
    EXPECT_EQ(Sh("cd " + dir + "/.git/objects/pack && test $(ls | wc -l) -eq 2"), 0) << url << ": one pack and its index, no leftovers";
  }
}

}  // namespace
}  // namespace home
