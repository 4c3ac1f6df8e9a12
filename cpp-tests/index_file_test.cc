// WriteIndexFile against git itself: byte for byte the index `git update-index --index-info`
// writes for the same entries, read back by git with every field (stat data included), a name
// longer than the flags' 12 bits, git's order where it is not the tree's, and a clone whose
// index git finds clean without hashing a file.
#include "core/git/index_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/git/clone.h"
#include "core/git/tree_entry_check.h"
#include "test_fs.h"

namespace home {
namespace {

using home::test::Sh;

const std::string kGit = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

git_oid Oid(const char* hex) {
  git_oid oid;
  EXPECT_EQ(git_oid_fromstr(&oid, hex), 0);
  return oid;
}

constexpr const char* kBlob = "8baef1b4abc478178b004d62031cf7fe6db6f903";
constexpr const char* kOther = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
constexpr const char* kCommit = "1111111111111111111111111111111111111111";

TEST(IndexFileTest, WritesTheBytesGitWritesForTheSameEntries) {
  home::test::ScratchDir scratch;
  // Tree order ("a" the directory sorts as "a/") and index order differ only in what is compared;
  // a path of 5,000 bytes overflows the 12 bits of the name length.
  const std::string deep = std::string(4990, 'd') + "/file";
  const std::vector<std::string> paths = {"a0", "a/b", "a.b", "a-b", "bin/tool", "link", "sub", deep};
  std::vector<IndexFileEntry> entries = {
      {&paths[0], Oid(kBlob), kModeBlob, {}},       {&paths[1], Oid(kOther), kModeBlob, {}},
      {&paths[2], Oid(kBlob), kModeBlob, {}},       {&paths[3], Oid(kBlob), kModeBlob, {}},
      {&paths[4], Oid(kOther), kModeExecutable, {}}, {&paths[5], Oid(kBlob), kModeLink, {}},
      {&paths[6], Oid(kCommit), kModeGitlink, {}},   {&paths[7], Oid(kBlob), kModeBlob, {}},
  };
  const std::string ours = scratch.path() + "/ours";
  ASSERT_FALSE(WriteIndexFile(ours, entries));
  std::string info;
  for (const IndexFileEntry& e : entries) {
    char hex[GIT_OID_SHA1_HEXSIZE + 1];
    git_oid_tostr(hex, sizeof hex, &e.id);
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o", e.mode);
    info += std::string(mode) + " " + hex + "\t" + *e.path + "\n";
  }
  {
    std::ofstream out(scratch.path() + "/info");
    out << info;
  }
  ASSERT_EQ(Sh("cd " + scratch.path() + " && " + kGit + "init -q repo && cd repo && GIT_INDEX_FILE=" + scratch.path() +
               "/theirs " + kGit + "update-index --index-info < ../info"),
            0);
  const std::string theirs_bytes = Slurp(scratch.path() + "/theirs");
  ASSERT_FALSE(theirs_bytes.empty());
  EXPECT_EQ(Slurp(ours), theirs_bytes);
  EXPECT_FALSE(std::ifstream(ours + ".lock").good()) << "no lock file left";
}

TEST(IndexFileTest, GitReadsBackEveryField) {
  home::test::ScratchDir scratch;
  const std::string path = "dir/file";
  struct stat st = {};
  st.st_ctim = {1700000001, 11};
  st.st_mtim = {1700000002, 22};
  st.st_dev = 33;
  st.st_ino = 44;
  st.st_uid = 55;
  st.st_gid = 66;
  st.st_size = 77;
  const std::string index = scratch.path() + "/index";
  ASSERT_FALSE(WriteIndexFile(index, {{&path, Oid(kBlob), kModeExecutable, st}}));
  ASSERT_EQ(Sh("cd " + scratch.path() + " && " + kGit + "init -q repo && cd repo && GIT_INDEX_FILE=" + index + " " + kGit +
               "ls-files --stage --debug > ../out"),
            0);
  EXPECT_EQ(Slurp(scratch.path() + "/out"), std::string("100755 ") + kBlob + " 0\tdir/file\n" +
                                                "  ctime: 1700000001:11\n  mtime: 1700000002:22\n  dev: 33\tino: 44\n"
                                                "  uid: 55\tgid: 66\n  size: 77\tflags: 0\n");
}

TEST(IndexFileTest, TwoEntriesOfOnePathAreRefusedAndNothingIsWritten) {
  home::test::ScratchDir scratch;
  const std::string a = "x", b = "x";
  const std::string index = scratch.path() + "/index";
  const Error e = WriteIndexFile(index, {{&a, Oid(kBlob), kModeBlob, {}}, {&b, Oid(kOther), kModeBlob, {}}});
  EXPECT_EQ(e.code, "ERR_CLONE_FAILED");
  EXPECT_FALSE(std::ifstream(index).good());
}

TEST(IndexFileTest, ALockHeldByAnotherWriterIsNotOverwritten) {
  home::test::ScratchDir scratch;
  const std::string path = "f";
  const std::string index = scratch.path() + "/index";
  { std::ofstream(index + ".lock") << "theirs"; }
  const Error e = WriteIndexFile(index, {{&path, Oid(kBlob), kModeBlob, {}}});
  EXPECT_EQ(e.code, "ERR_CLONE_FAILED");
  EXPECT_EQ(Slurp(index + ".lock"), "theirs");
  EXPECT_FALSE(std::ifstream(index).good());
}

// A clone's index, written by the checkout writer through WriteIndexFile: the same entries as
// git's own clone, and `git diff-files` (stat data only, no refresh) finds every file unchanged.
TEST(IndexFileTest, ACloneIndexIsWhatGitsCloneHasAndCleanByStatData) {
  home::test::ScratchDir scratch;
  const std::string root = scratch.path();
  ASSERT_EQ(Sh("cd " + root + " && " + kGit + "init -q --initial-branch=main work && cd work && mkdir -p a bin && " +
               "echo 1 > a0 && echo 2 > a/b && echo 3 > a.b && echo 4 > a-b && printf '#!/bin/sh\\n' > bin/tool && " +
               "chmod +x bin/tool && ln -s a0 link && " + kGit + "add -A && " + kGit + "update-index --add --cacheinfo 160000," +
               kCommit + ",sub && " + kGit + "commit -qm t && cd .. && " + kGit + "clone -q --bare work work.git && " + kGit +
               "clone -q work.git by-git 2>/dev/null"),
            0);
  const std::string dir = root + "/ours";
  ASSERT_EQ(mkdir(dir.c_str(), 0700), 0);
  CloneSpec spec;
  spec.url = root + "/work.git";
  spec.allowed_protocols = {"file"};
  CloneResult result;
  const Error e = CloneInto(dir, spec, CancelFlag(), {}, &result);
  ASSERT_TRUE(e.ok()) << e.message;
  EXPECT_EQ(Sh("cd " + root + " && (cd by-git && " + kGit + "ls-files --stage) > theirs.txt && (cd ours && " + kGit +
               "ls-files --stage) > ours.txt && cmp theirs.txt ours.txt"),
            0);
  // diff-files compares stat data and reports any file whose stat data differs, without hashing.
  EXPECT_EQ(Sh("cd " + dir + " && test -z \"$(" + kGit + "diff-files --name-only)\""), 0);
  EXPECT_EQ(Sh("cd " + dir + " && test -z \"$(" + kGit + "status --porcelain)\""), 0);
}

}  // namespace
}  // namespace home
