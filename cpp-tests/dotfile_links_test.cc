// The fallback install (core/home/dotfile_links.h): the checkout's top-level dotfiles linked into
// the home as relative links, the repository's git metadata skipped, whatever holds a name left
// alone, a re-run unchanged, stale links of ours removed and nobody else's, a planted checkout
// link refused, and nothing written outside the home. Both walk modes.
#include "core/home/dotfile_links.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "test_fs.h"

namespace home {
namespace {

using test::Build;
using test::ScratchDir;
using Names = std::vector<std::string>;

std::string LinkText(const std::string& path) {
  char buffer[4096];
  const ssize_t n = ::readlink(path.c_str(), buffer, sizeof buffer);
  return n < 0 ? std::string("(not a link)") : std::string(buffer, static_cast<size_t>(n));
}

class DotfileLinksTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    home_ = scratch_ / "home";
    outside_ = scratch_ / "outside";
    Build(scratch_.path(), {"home/", "outside/", "outside/.vimrc", "outside/.profile"});
  }
  HomeOptions Options() const {
    HomeOptions options;
    options.container_home = "/home/alice";
    options.force_manual_walk = GetParam();
    return options;
  }
  DotfileLinks Link() {
    DotfileLinks links;
    Error e = LinkDotfiles(home_, ".dotfiles", Options(), &links);
    EXPECT_TRUE(e.ok()) << e.code << " " << e.message;
    return links;
  }

  ScratchDir scratch_;
  std::string home_;
  std::string outside_;
};

TEST_P(DotfileLinksTest, LinksTopLevelDotfilesRelativeAndSkipsGitMetadata) {
  Build(home_, {".dotfiles/.vimrc", ".dotfiles/.bashrc", ".dotfiles/.config/nvim/init.lua", ".dotfiles/.gitconfig",
                ".dotfiles/.git/HEAD", ".dotfiles/.gitmodules", ".dotfiles/.github/workflows/ci.yml",
                ".dotfiles/.gitignore", ".dotfiles/.gitattributes", ".dotfiles/.spoon/x", ".dotfiles/README.md",
                ".dotfiles/bin/tool", ".dotfiles/.tmux.conf => .vimrc"});
  DotfileLinks links = Link();
  EXPECT_EQ(links.linked, (Names{".bashrc", ".config", ".gitconfig", ".tmux.conf", ".vimrc"}));
  EXPECT_TRUE(links.unchanged.empty());
  EXPECT_TRUE(links.in_the_way.empty());
  EXPECT_TRUE(links.removed.empty());
  EXPECT_EQ(LinkText(home_ + "/.vimrc"), ".dotfiles/.vimrc");
  EXPECT_EQ(LinkText(home_ + "/.config"), ".dotfiles/.config");
  // Relative links resolve within the home, wherever it is mounted.
  EXPECT_EQ(test::ReadText(home_ + "/.vimrc"), ".dotfiles/.vimrc");
  EXPECT_EQ(test::ReadText(home_ + "/.config/nvim/init.lua"), ".dotfiles/.config/nvim/init.lua");
  for (const char* skipped : {".git", ".gitmodules", ".github", ".gitignore", ".gitattributes", ".spoon", "README.md", "bin"}) {
    EXPECT_FALSE(test::Exists(home_ + "/" + skipped)) << skipped;
  }
}

TEST_P(DotfileLinksTest, LeavesWhatHoldsANameAloneAndReportsIt) {
  Build(home_, {".dotfiles/.bashrc", ".dotfiles/.config/", ".dotfiles/.inputrc", ".dotfiles/.vimrc",
                ".bashrc", ".config/mine", ".inputrc => /etc/inputrc", ".vimrc => dotfiles/.vimrc"});
  const std::string before = test::Snapshot(home_);
  DotfileLinks links = Link();
  EXPECT_TRUE(links.linked.empty());
  EXPECT_EQ(links.in_the_way, (Names{".bashrc", ".config", ".inputrc", ".vimrc"}));
  EXPECT_EQ(test::Snapshot(home_), before);
}

TEST_P(DotfileLinksTest, ARerunKeepsOurLinks) {
  Build(home_, {".dotfiles/.vimrc", ".dotfiles/.config/"});
  EXPECT_EQ(Link().linked, (Names{".config", ".vimrc"}));
  const std::string before = test::Snapshot(home_);
  DotfileLinks again = Link();
  EXPECT_TRUE(again.linked.empty());
  EXPECT_EQ(again.unchanged, (Names{".config", ".vimrc"}));
  EXPECT_TRUE(again.in_the_way.empty());
  EXPECT_TRUE(again.removed.empty());
  EXPECT_EQ(test::Snapshot(home_), before);
}

TEST_P(DotfileLinksTest, RemovesOurStaleLinksAndKeepsForeignDanglingOnes) {
  Build(home_, {".dotfiles/.vimrc", ".dotfiles/.foo"});
  EXPECT_EQ(Link().linked, (Names{".foo", ".vimrc"}));
  // A re-clone removed .foo; the user keeps dangling links of their own, one that looks like ours
  // but under another name, one to a path that never existed.
  ASSERT_EQ(::unlink((home_ + "/.dotfiles/.foo").c_str()), 0);
  Build(home_, {".bar => .dotfiles/.foo", ".gone => .dotfiles/.gone/", ".lost => /nonexistent", "plain => .dotfiles/plain"});
  DotfileLinks links = Link();
  EXPECT_EQ(links.removed, (Names{".foo"}));
  EXPECT_EQ(links.unchanged, (Names{".vimrc"}));
  EXPECT_FALSE(test::Exists(home_ + "/.foo"));
  EXPECT_EQ(LinkText(home_ + "/.bar"), ".dotfiles/.foo");
  EXPECT_EQ(LinkText(home_ + "/.gone"), ".dotfiles/.gone/");
  EXPECT_EQ(LinkText(home_ + "/.lost"), "/nonexistent");
  EXPECT_EQ(LinkText(home_ + "/plain"), ".dotfiles/plain");
}

TEST_P(DotfileLinksTest, RefusesACheckoutThatIsASymlinkAndWritesNothingOutside) {
  Build(home_, {".dotfiles => " + outside_});
  const std::string outside_before = test::Snapshot(outside_);
  const std::string home_before = test::Snapshot(home_);
  DotfileLinks links;
  Error e = LinkDotfiles(home_, ".dotfiles", Options(), &links);
  EXPECT_EQ(e.code, "ERR_NOT_DIRECTORY") << e.message;
  EXPECT_EQ(e.sys_errno, ELOOP);
  EXPECT_TRUE(links.linked.empty());
  EXPECT_EQ(test::Snapshot(outside_), outside_before);
  EXPECT_EQ(test::Snapshot(home_), home_before);
}

TEST_P(DotfileLinksTest, RefusesACheckoutBelowALinkMissingOrAFile) {
  Build(home_, {"up => " + scratch_.path(), "file"});
  DotfileLinks links;
  EXPECT_EQ(LinkDotfiles(home_, "up/outside", Options(), &links).code, "ERR_NOT_DIRECTORY");
  Error missing = LinkDotfiles(home_, ".dotfiles", Options(), &links);
  EXPECT_EQ(missing.code, "ERR_NOT_DIRECTORY");
  EXPECT_EQ(missing.sys_errno, ENOENT);
  Error file = LinkDotfiles(home_, "file", Options(), &links);
  EXPECT_EQ(file.code, "ERR_NOT_DIRECTORY");
  EXPECT_EQ(file.sys_errno, ENOTDIR);
  EXPECT_EQ(LinkDotfiles(home_, "../outside", Options(), &links).code, "ERR_INVALID_PATH");
  EXPECT_EQ(LinkDotfiles(home_, ".spoon", Options(), &links).code, "ERR_RESERVED_PATH");
}

TEST_P(DotfileLinksTest, NothingOutsideTheHomeChangesWhenTheCheckoutLinksOut) {
  // The checkout's own entries may be links out of the home: linked as they are, never followed.
  Build(home_, {".dotfiles/.profile => " + outside_ + "/.profile", ".dotfiles/.vimrc => ../../outside/.vimrc",
                ".dotfiles/.dir => " + outside_});
  const std::string before = test::Snapshot(outside_);
  DotfileLinks links = Link();
  EXPECT_EQ(links.linked, (Names{".dir", ".profile", ".vimrc"}));
  EXPECT_EQ(LinkText(home_ + "/.profile"), ".dotfiles/.profile");
  EXPECT_EQ(test::Snapshot(outside_), before);
}

TEST_P(DotfileLinksTest, LinksGetTheHomesOwner) {
  // As root, another owner; otherwise our own ids, which exercises the same calls.
  const bool root = ::geteuid() == 0;
  const uid_t uid = root ? 4242 : ::geteuid();
  const gid_t gid = root ? 4343 : ::getegid();
  Build(home_, {".dotfiles/.vimrc"});
  HomeOptions options = Options();
  options.uid = uid;
  options.gid = gid;
  DotfileLinks links;
  ASSERT_TRUE(LinkDotfiles(home_, ".dotfiles", options, &links).ok());
  EXPECT_EQ(links.linked, (Names{".vimrc"}));
  struct stat st;
  ASSERT_EQ(::lstat((home_ + "/.vimrc").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_uid, uid);
  EXPECT_EQ(st.st_gid, gid);
  // The file the link leads to keeps its owner.
  ASSERT_EQ(::stat((home_ + "/.dotfiles/.vimrc").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, ::geteuid());
}

TEST(DotfileNames, WhichNamesAreLinked) {
  for (const char* yes : {".vimrc", ".config", ".gitconfig", ".git-prompt.sh", ".x"}) EXPECT_TRUE(IsLinkableDotfile(yes)) << yes;
  for (const char* no : {".", "..", "", "vimrc", ".git", ".gitmodules", ".github", ".gitignore", ".gitattributes", ".spoon"}) {
    EXPECT_FALSE(IsLinkableDotfile(no)) << no;
  }
}

INSTANTIATE_TEST_SUITE_P(Walks, DotfileLinksTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) { return info.param ? "Manual" : "Openat2"; });

}  // namespace
}  // namespace home
