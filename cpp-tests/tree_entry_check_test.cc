// UnsafeEntryName / UnsafeEntryMode: git's verify_path and fsck_tree name checks, table-driven,
// with the spellings git's own test suite uses (t1450-fsck.sh, t7415-submodule-names.sh,
// t0060-path-utils.sh: is_ntfs_dotgit, is_hfs_dotgit).
#include "core/git/tree_entry_check.h"

#include <gtest/gtest.h>

#include <string>

namespace home {
namespace {

constexpr uint32_t kFile = 0100644;
constexpr uint32_t kLink = 0120000;
constexpr uint32_t kTree = 0040000;

// UTF-8 of code points HFS+ ignores: U+200C ZERO WIDTH NON-JOINER, U+FEFF ZERO WIDTH NO-BREAK SPACE.
const std::string kZwnj = "\xe2\x80\x8c";
const std::string kBom = "\xef\xbb\xbf";

struct Case {
  std::string name;
  uint32_t mode;
  bool refused;
};

TEST(TreeEntryCheckTest, NamesAsGitJudgesThem) {
  const Case cases[] = {
      // Refused whatever the mode.
      {"", kFile, true},
      {".", kTree, true},
      {"..", kFile, true},
      {"a/b", kFile, true},
      {"/", kTree, true},
      {std::string("a\0b", 3), kFile, true},
      {".git", kTree, true},
      {".git", kFile, true},
      {".GIT", kTree, true},
      {".Git", kFile, true},
      {"git~1", kTree, true},
      {"GIT~1", kTree, true},
      {".git.", kTree, true},
      {".git ", kTree, true},
      {".git. . .", kTree, true},
      {".git::$INDEX_ALLOCATION", kTree, true},
      {".git:stream", kFile, true},
      {"git~1.", kTree, true},
      {"a\\.git", kTree, true},
      {"a\\b\\git~1", kTree, true},
      {".g" + kZwnj + "it", kTree, true},
      {kZwnj + ".git", kTree, true},
      {".gi" + kBom + "t", kTree, true},
      {".GI" + kZwnj + "T", kFile, true},
      // Accepted: near misses.
      {".gitignore", kFile, false},
      {".github", kTree, false},
      {".gitx", kFile, false},
      {".git~1", kFile, false},
      {"git~2", kTree, false},
      {"git", kTree, false},
      {"gitk", kFile, false},
      {"...", kFile, false},
      {".gi", kFile, false},
      {".g" + kZwnj + "ithub", kTree, false},
      {".g\xffit", kFile, false},  // malformed UTF-8 cannot spell .git
      {"a\\b", kFile, false},
      {"d\xc3\xa9j\xc3\xa0", kFile, false},
      // .gitmodules and .gitattributes: as files yes, as symbolic links no, in every spelling.
      {".gitmodules", kFile, false},
      {".GITMODULES", kFile, false},
      {".gitattributes", kFile, false},
      {".gitmodules", kLink, true},
      {".GitModules", kLink, true},
      {".gitmodules.", kLink, true},
      {".gitmodules ", kLink, true},
      {".gitmodules:$DATA", kLink, true},
      {"gitmod~1", kLink, true},
      {"GITMOD~4", kLink, true},
      {"gi7eba~1", kLink, true},
      {"gi7eb~12", kLink, true},
      {".g" + kZwnj + "itmodules", kLink, true},
      {"a\\.gitmodules", kLink, true},
      {".gitattributes", kLink, true},
      {"gitatt~1", kLink, true},
      {"gi7d29~1", kLink, true},
      {".gitmodulesx", kLink, false},
      {"gitmod~5", kLink, false},
      {"gi7ebb~1", kLink, false},
      {".gitignore", kLink, false},
      {"link", kLink, false},
  };
  for (const Case& c : cases) {
    const char* why = UnsafeEntryName(c.name, c.mode);
    EXPECT_EQ(why != nullptr, c.refused) << "'" << c.name << "' mode " << std::oct << c.mode << ": "
                                         << (why ? why : "accepted");
  }
}

TEST(TreeEntryCheckTest, ReasonsNameTheProblem) {
  EXPECT_STREQ(UnsafeEntryName("", kFile), "an empty name");
  EXPECT_STREQ(UnsafeEntryName("..", kTree), "the name '..'");
  EXPECT_STREQ(UnsafeEntryName("a/b", kFile), "a name holding '/'");
  EXPECT_STREQ(UnsafeEntryName("git~1", kTree), "a name that is .git on Linux, NTFS or HFS+");
  EXPECT_STREQ(UnsafeEntryName(".gitmodules", kLink), ".gitmodules as a symbolic link");
}

TEST(TreeEntryCheckTest, ModesAsGitWritesThem) {
  for (uint32_t mode : {0040000u, 0100644u, 0100755u, 0100664u, 0120000u, 0160000u}) {
    EXPECT_EQ(UnsafeEntryMode(mode), nullptr) << std::oct << mode;
  }
  for (uint32_t mode : {0u, 0100600u, 0100777u, 0170000u, 0140000u, 0040755u, 0120777u}) {
    EXPECT_NE(UnsafeEntryMode(mode), nullptr) << std::oct << mode;
  }
}

TEST(TreeEntryCheckTest, TheBuildingBlocksMatchGits) {
  EXPECT_TRUE(IsNtfsDotGit(".git"));
  EXPECT_TRUE(IsNtfsDotGit(".git\\x"));  // a separator ends the name
  EXPECT_FALSE(IsNtfsDotGit(".gitx"));
  EXPECT_TRUE(IsHfsDotGit(".git"));
  EXPECT_FALSE(IsHfsDotGit("git"));
  EXPECT_TRUE(IsNtfsDotGeneric("GITATT~2", "gitattributes", "gi7d29"));
  EXPECT_FALSE(IsNtfsDotGeneric("gitat~1", "gitattributes", "gi7d29"));  // a short name keeps six characters
  EXPECT_TRUE(IsHfsDotGeneric(".GITMODULES", "gitmodules"));
  EXPECT_FALSE(IsHfsDotGeneric(".gitmodule", "gitmodules"));
}

}  // namespace
}  // namespace home
