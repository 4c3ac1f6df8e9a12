// The budget walk inside CloneInto, against repositories made with git plumbing: a git bomb is
// refused in milliseconds, with its limits lifted the deadline and the cancel flag end the walk,
// a bad name or a duplicate is refused before the checkout writes a file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/git/budget_walk.h"
#include "core/git/clone.h"
#include "core/git/git_holders.h"
#include "core/git/git_runtime.h"
#include "core/git/tree_entry_check.h"
#include "test_fs.h"

namespace home {
namespace {

using Clock = std::chrono::steady_clock;

using home::test::Sh;

class BudgetWalkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new home::test::ScratchDir();
    root_ = scratch_->path();
    // A bomb of 10^8 files in 10 objects: a blob, 8 levels of 10-entry trees, a commit.
    const std::string bomb =
        "cd " + root_ + " && " + kGit + "init -q --bare --initial-branch=main bomb.git && cd bomb.git && b=$(echo x | " + kGit +
        "hash-object -w --stdin) && t=$(for i in 0 1 2 3 4 5 6 7 8 9; do printf '100644 blob %s\\tf%s\\n' $b $i; done | " +
        kGit + "mktree) && for l in 1 2 3 4 5 6 7; do t=$(for i in 0 1 2 3 4 5 6 7 8 9; do printf '040000 tree %s\\td%s\\n' $t $i; done | " +
        kGit + "mktree); done && c=$(" + kGit + "commit-tree -m bomb $t) && " + kGit + "update-ref refs/heads/main $c";
    ASSERT_EQ(Sh(bomb), 0);
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  // A repository whose root tree is `entries` (mktree's input), written with --literally.
  static std::string TreeRepo(const std::string& name, const std::string& entries) {
    const std::string bare = root_ + "/" + name + ".git";
    const std::string script = kGit + "init -q --bare --initial-branch=main " + bare + " && cd " + bare + " && b=$(echo x | " + kGit +
                               "hash-object -w --stdin) && t=$(printf '" + entries + "' $b $b | " + kGit +
                               "mktree --missing) && c=$(" + kGit + "commit-tree -m t $t) && " + kGit +
                               "update-ref refs/heads/main $c";
    EXPECT_EQ(Sh(script), 0) << script;
    return bare;
  }

  static std::string Dir(const std::string& name) {
    const std::string dir = root_ + "/" + name;
    EXPECT_EQ(mkdir(dir.c_str(), 0700), 0);
    return dir;
  }

  static CloneSpec Spec(const std::string& bare) {
    CloneSpec spec;
    spec.url = bare;
    spec.allowed_protocols = {"file"};
    spec.max_files = 100000;
    return spec;
  }

  static bool CheckedOutAnything(const std::string& dir) {
    return Sh("test -n \"$(ls -A '" + dir + "' | grep -v '^.git$')\"") == 0;
  }

  static inline const std::string kGit = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";
  static home::test::ScratchDir* scratch_;
  static std::string root_;
};
std::string BudgetWalkTest::root_;
home::test::ScratchDir* BudgetWalkTest::scratch_ = nullptr;

TEST_F(BudgetWalkTest, AGitBombIsRefusedAtMaxFilesInMilliseconds) {
  const std::string dir = Dir("bomb-default");
  CloneResult result;
  const auto start = Clock::now();
  const Error e = CloneInto(dir, Spec(root_ + "/bomb.git"), CancelFlag(), {}, &result);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_EQ(e.code, "ERR_CLONE_TOO_LARGE") << e.message;
  EXPECT_NE(e.message.find("maxFiles (100000 entries: counted 100001 at d"), std::string::npos) << e.message;
  EXPECT_FALSE(CheckedOutAnything(dir));
  EXPECT_LT(ms, 5000) << "the walk stops at the limit";  // generous: ASan and a busy machine
}

TEST_F(BudgetWalkTest, WithTheLimitsLiftedTheDeadlineEndsTheWalk) {
  const std::string dir = Dir("bomb-deadline");
  CloneSpec spec = Spec(root_ + "/bomb.git");
  spec.max_files = 0;
  spec.timeout = std::chrono::milliseconds(300);
  CloneResult result;
  const auto start = Clock::now();
  const Error e = CloneInto(dir, spec, CancelFlag(), {}, &result);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  EXPECT_EQ(e.code, "ERR_CLONE_TIMEOUT") << e.message;
  EXPECT_LT(ms, 1300);
}

TEST_F(BudgetWalkTest, WithTheLimitsLiftedTheCancelFlagEndsTheWalk) {
  const std::string dir = Dir("bomb-cancel");
  CloneSpec spec = Spec(root_ + "/bomb.git");
  spec.max_files = 0;
  CancelFlag cancel;
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel.Cancel();
  });
  CloneResult result;
  const auto start = Clock::now();
  const Error e = CloneInto(dir, spec, cancel, {}, &result);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  canceller.join();
  EXPECT_EQ(e.code, "ERR_ABORTED") << e.message;
  EXPECT_LT(ms, 1300);
}

TEST_F(BudgetWalkTest, ARefusedNameStopsTheCloneBeforeCheckout) {
  const std::string bare = TreeRepo("dotgit", "100644 blob %s\\ta\\n100644 blob %s\\t.GIT\\n");
  const std::string dir = Dir("dotgit");
  CloneResult result;
  const Error e = CloneInto(dir, Spec(bare), CancelFlag(), {}, &result);
  EXPECT_EQ(e.code, "ERR_CLONE_UNSAFE_PATH") << e.message;
  EXPECT_EQ(e.path, ".GIT");
  EXPECT_FALSE(CheckedOutAnything(dir)) << "not even `a`, which came first";
}

TEST_F(BudgetWalkTest, LimitsOnSizeAreReadFromTheHeaders) {
  const std::string bare = TreeRepo("sizes", "100644 blob %s\\ta\\n100644 blob %s\\tb\\n");
  CloneSpec spec = Spec(bare);
  spec.max_checkout_bytes = 3;  // each blob is "x\n": 4 bytes in all
  CloneResult result;
  Error e = CloneInto(Dir("sizes-sum"), spec, CancelFlag(), {}, &result);
  EXPECT_EQ(e.code, "ERR_CLONE_TOO_LARGE");
  EXPECT_NE(e.message.find("maxCheckoutBytes (3 bytes checked out: counted 4 at b)"), std::string::npos) << e.message;
  // maxFileBytes is met first by the pack's objects as they arrive (odb_guard.h), the commit
  // among them; the walk checks it again.
  spec.max_checkout_bytes = 4;
  spec.max_file_bytes = 100;
  e = CloneInto(Dir("sizes-one"), spec, CancelFlag(), {}, &result);
  EXPECT_EQ(e.code, "ERR_CLONE_TOO_LARGE");
  EXPECT_NE(e.message.find("maxFileBytes (100 bytes in one object: the pack announces "), std::string::npos) << e.message;
  spec.max_file_bytes = 1000;
  e = CloneInto(Dir("sizes-fit"), spec, CancelFlag(), {}, &result);
  EXPECT_TRUE(e.ok()) << e.message;
}

// Every entry names its directory's entry, earlier in the list, which the checkout writer waits
// for before it writes into that directory: files, a link and directories at every level.
TEST_F(BudgetWalkTest, EachEntryNamesItsDirectoryEarlierInTheList) {
  const std::string work = root_ + "/parents";
  ASSERT_EQ(Sh("mkdir -p " + work + "/a/b/c " + work + "/a/d " + work + "/e && cd " + work +
               " && for d in . a a/b a/b/c a/d e; do echo $d > $d/f; done && ln -s f a/link && " + kGit +
               "init -q && " + kGit + "add -A && " + kGit + "commit -qm t"),
            0);
  ASSERT_FALSE(EnsureGitRuntime());
  git_repository* raw_repo = nullptr;
  ASSERT_EQ(git_repository_open(&raw_repo, work.c_str()), 0);
  GitRepository repo(raw_repo);
  git_object* raw_commit = nullptr;
  ASSERT_EQ(git_revparse_single(&raw_commit, repo.get(), "HEAD^{commit}"), 0);
  GitObject commit(raw_commit);
  CloneBudget budget(CloneLimits{}, CancelFlag(), "parents");
  BudgetWalkResult walked;
  ASSERT_FALSE(BudgetWalk(repo.get(), reinterpret_cast<git_commit*>(commit.get()), &budget, &walked));
  // a, e, f; a/b, a/d, a/f, a/link; a/b/c, a/b/f; a/b/c/f; a/d/f; e/f.
  ASSERT_EQ(walked.entries.size(), 12u);
  for (size_t i = 0; i < walked.entries.size(); ++i) {
    const TreeEntryToWrite& entry = walked.entries[i];
    const size_t slash = entry.path.rfind('/');
    if (slash == std::string::npos) {
      EXPECT_EQ(entry.parent, kTopDirectory) << entry.path;
      continue;
    }
    ASSERT_LT(entry.parent, i) << entry.path;
    EXPECT_EQ(walked.entries[entry.parent].path, entry.path.substr(0, slash)) << entry.path;
    EXPECT_EQ(walked.entries[entry.parent].mode, kModeTree) << entry.path;
  }
}

}  // namespace
}  // namespace home
