// .gitmodules checks and relative URLs, as git has them (submodule--helper.c relative_url,
// submodule-config.c check_submodule_name, the fixes for CVE-2018-11235, CVE-2018-17456 and
// CVE-2019-1387).
#include "core/git/submodule_config.h"

#include <gtest/gtest.h>

namespace home {
namespace {

std::string Resolved(const std::string& base, const std::string& url) {
  std::string out;
  Error e = ResolveSubmoduleUrl(base, url, &out);
  return e ? e.code : out;
}

TEST(SubmoduleUrl, RelativeUrlsResolveAsGitResolvesThem) {
  EXPECT_EQ(Resolved("https://github.com/alice/dotfiles.git", "../dotbot.git"), "https://github.com/alice/dotbot.git");
  EXPECT_EQ(Resolved("https://github.com/alice/dotfiles.git/", "../dotbot.git"), "https://github.com/alice/dotbot.git");
  EXPECT_EQ(Resolved("https://github.com/alice/dotfiles", "../../anishathalye/dotbot"),
            "https://github.com/anishathalye/dotbot");
  EXPECT_EQ(Resolved("https://github.com/alice/dotfiles", "./sub"), "https://github.com/alice/dotfiles/sub");
  EXPECT_EQ(Resolved("git@github.com:alice/dotfiles.git", "../dotbot.git"), "git@github.com:alice/dotbot.git");
  EXPECT_EQ(Resolved("git@github.com:alice/dotfiles.git", "../../bob/x.git"), "git@github.com:bob/x.git");
  EXPECT_EQ(Resolved("file:///srv/git/dotfiles.git", "../lib.git"), "file:///srv/git/lib.git");
  EXPECT_EQ(Resolved("/srv/git/dotfiles.git", "../lib.git"), "/srv/git/lib.git");
  EXPECT_EQ(Resolved("https://github.com/alice/dotfiles", "https://gitlab.com/x/y.git"), "https://gitlab.com/x/y.git");
}

TEST(SubmoduleUrl, ARelativeUrlCannotClimbAboveItsHost) {
  EXPECT_EQ(Resolved("https://github.com/alice/dotfiles", "../../../x"), "ERR_CLONE_UNSAFE_PATH");
  EXPECT_EQ(Resolved("git@github.com:alice/dotfiles", "../../../x"), "ERR_CLONE_UNSAFE_PATH");
}

Error Check(const std::vector<GitmodulesEntry>& entries, const std::vector<std::string>& gitlinks,
            std::vector<SubmoduleDecl>* out) {
  return SubmodulesToClone(entries, gitlinks, out);
}

std::vector<GitmodulesEntry> One(const std::string& name, const std::string& path, const std::string& url) {
  return {{name, "path", path}, {name, "url", url}};
}

TEST(SubmoduleDecls, OnlyDeclaredGitlinksAreCloned) {
  std::vector<SubmoduleDecl> out;
  auto entries = One("dotbot", "dotbot", "../dotbot.git");
  auto more = One("gone", "gone", "../gone.git");  // declared, but the tree has no gitlink there
  entries.insert(entries.end(), more.begin(), more.end());
  entries.push_back({"dotbot", "branch", "main"});
  ASSERT_TRUE(Check(entries, {"dotbot", "undeclared"}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "dotbot");
  EXPECT_EQ(out[0].path, "dotbot");
  EXPECT_EQ(out[0].url, "../dotbot.git");
}

TEST(SubmoduleDecls, HostileShapesAreRefused) {
  const std::vector<std::vector<GitmodulesEntry>> hostile = {
      One("../../hooks", "sub", "u"),  One("a\\..\\..\\x", "sub", "u"), One("", "sub", "u"),
      One("x", ".git/hooks", "u"),     One("x", "a/.GIT/x", "u"),     One("x", "git~1", "u"),
      One("x", ".git\xe2\x80\x8c", "u"), One("x", "-sub", "u"),         One("x", "/abs", "u"),
      One("x", "a/../sub", "u"),       One("x", "sub", "-upload-pack=x"),
  };
  for (const auto& entries : hostile) {
    std::vector<SubmoduleDecl> out;
    Error e = Check(entries, {"sub", "-sub", "/abs", ".git/hooks", "a/.GIT/x", "git~1", "a/../sub"}, &out);
    EXPECT_EQ(e.code, "ERR_CLONE_UNSAFE_PATH") << entries[0].name << " " << entries[0].value << " " << entries[1].value;
  }
}

TEST(SubmoduleDecls, DuplicatePathsAndNestedGitdirsAreRefused) {
  std::vector<SubmoduleDecl> out;
  auto twice = One("a", "sub", "u");
  auto b = One("b", "sub", "u");
  twice.insert(twice.end(), b.begin(), b.end());
  EXPECT_EQ(Check(twice, {"sub"}, &out).code, "ERR_CLONE_UNSAFE_PATH");
  auto nested = One("a", "one", "u");
  auto inner = One("a/modules/b", "two", "u");
  nested.insert(nested.end(), inner.begin(), inner.end());
  EXPECT_EQ(Check(nested, {"one", "two"}, &out).code, "ERR_CLONE_UNSAFE_PATH");
  // Names that merely share a prefix are fine.
  auto siblings = One("a", "one", "u");
  auto ab = One("ab", "two", "u");
  siblings.insert(siblings.end(), ab.begin(), ab.end());
  EXPECT_TRUE(Check(siblings, {"one", "two"}, &out).ok());
}

}  // namespace
}  // namespace home
