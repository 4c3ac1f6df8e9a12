// PackWriter against git: a pack written through it in pieces of any size is checked against its
// trailer, lands as pack-<checksum>.pack with the index git's index-pack writes beside it (both
// read-only, nothing else left in the folder); a pack with a byte changed fails the check; one
// not committed leaves no file; Replay gives back every byte, and stops when asked.
#include "core/git/pack_writer.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>
#include <string>
#include <vector>

#include "core/git/pack_header_scanner.h"
#include "core/git/pack_object_cache.h"
#include "test_fs.h"

namespace home {
namespace {

using home::test::ReadBytes;
using home::test::Sh;

const std::string kGit = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";

std::set<std::string> Names(const std::string& dir) {
  std::set<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") out.insert(e->d_name);
    }
    closedir(d);
  }
  return out;
}

class PackWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = scratch_.path();
    ASSERT_EQ(Sh("cd " + root_ + " && " + kGit + "init -q r && cd r && for i in $(seq 1 12); do seq 1 $((i * 40)) > f$((i % 3)); " +
                 kGit + "add -A; " + kGit + "commit -qm $i; done && echo HEAD | " + kGit +
                 "pack-objects -q --stdout --revs --delta-base-offset > ../in.pack && cd .. && " + kGit +
                 "index-pack -o gits.idx in.pack > /dev/null && mkdir pack"),
              0);
    pack_ = ReadBytes(root_ + "/in.pack");
  }

  // `pack` through a writer into root_/pack in pieces of `piece`; the writer, not committed.
  void WriteThrough(PackWriter* writer, const std::vector<unsigned char>& pack, size_t piece) {
    ASSERT_TRUE(writer->Open()) << writer->error();
    for (size_t i = 0; i < pack.size(); i += piece) {
      ASSERT_TRUE(writer->Write(pack.data() + i, std::min(piece, pack.size() - i)));
    }
  }

  home::test::ScratchDir scratch_;
  std::string root_;
  std::vector<unsigned char> pack_;
};

TEST_F(PackWriterTest, LandsThePackWithGitsIndexBesideIt) {
  for (size_t piece : {size_t{1}, size_t{19}, size_t{20}, size_t{21}, size_t{4096}, size_t{1} << 24}) {
    const std::string dir = root_ + "/pack";
    PackObjectCache cache(uint64_t{1} << 30, uint64_t{1} << 30);
    PackHeaderScanner scanner(0, &cache);
    ASSERT_TRUE(scanner.Feed(pack_.data(), pack_.size()));
    ASSERT_TRUE(cache.complete());
    {
      PackWriter writer(dir);
      WriteThrough(&writer, pack_, piece);
      ASSERT_TRUE(writer.ChecksumMatches()) << "pieces of " << piece;
      ASSERT_TRUE(writer.BuildIndex(cache.entries()));
      ASSERT_TRUE(writer.Commit()) << writer.error();
    }
    std::string hex;
    for (size_t i = pack_.size() - 20; i < pack_.size(); ++i) {
      static const char kDigits[] = "0123456789abcdef";
      hex += kDigits[pack_[i] >> 4];
      hex += kDigits[pack_[i] & 15];
    }
    const std::string base = dir + "/pack-" + hex;
    EXPECT_EQ(Names(dir), (std::set<std::string>{"pack-" + hex + ".pack", "pack-" + hex + ".idx"})) << "pieces of " << piece;
    EXPECT_TRUE(ReadBytes(base + ".pack") == pack_);
    EXPECT_TRUE(ReadBytes(base + ".idx") == ReadBytes(root_ + "/gits.idx")) << "pieces of " << piece;
    struct stat st;
    ASSERT_EQ(stat((base + ".pack").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0444u);
    ASSERT_EQ(stat((base + ".idx").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0444u);
    EXPECT_EQ(Sh(kGit + "verify-pack " + base + ".idx"), 0);
    ASSERT_EQ(Sh("rm -f " + dir + "/*"), 0);
  }
}

TEST_F(PackWriterTest, APackWithAByteChangedFailsItsChecksum) {
  for (size_t at : {size_t{0}, size_t{12}, pack_.size() / 2, pack_.size() - 21, pack_.size() - 1}) {
    std::vector<unsigned char> changed = pack_;
    changed[at] ^= 0x01;
    PackWriter writer(root_ + "/pack");
    WriteThrough(&writer, changed, 4096);
    EXPECT_FALSE(writer.ChecksumMatches()) << "byte " << at;
  }
  PackWriter cut(root_ + "/pack");
  WriteThrough(&cut, std::vector<unsigned char>(pack_.begin(), pack_.begin() + 11), 4);
  EXPECT_FALSE(cut.ChecksumMatches()) << "shorter than a trailer";
}

TEST_F(PackWriterTest, LeavesNoFileUnlessCommitted) {
  const std::string dir = root_ + "/pack";
  {
    PackWriter writer(dir);
    WriteThrough(&writer, pack_, 4096);
    EXPECT_EQ(Names(dir).size(), 1u);
  }
  EXPECT_TRUE(Names(dir).empty()) << "the destructor removes it";
  PackWriter discarded(dir);
  WriteThrough(&discarded, pack_, 4096);
  discarded.Discard();
  EXPECT_TRUE(Names(dir).empty());
  PackWriter nowhere(root_ + "/missing");
  EXPECT_FALSE(nowhere.Open());
  EXPECT_NE(nowhere.error().find("creating the pack file"), std::string::npos) << nowhere.error();
}

TEST_F(PackWriterTest, ReplaysEveryByteAndStopsWhenAsked) {
  PackWriter writer(root_ + "/pack");
  WriteThrough(&writer, pack_, 1000);
  std::vector<unsigned char> back;
  int answer = -1;
  ASSERT_TRUE(writer.Replay([&](const unsigned char* data, size_t size) {
    back.insert(back.end(), data, data + size);
    return 0;
  }, &answer));
  EXPECT_EQ(answer, 0);
  EXPECT_TRUE(back == pack_);
  int calls = 0;
  ASSERT_TRUE(writer.Replay([&](const unsigned char*, size_t) { return ++calls == 1 ? -7 : 0; }, &answer));
  EXPECT_EQ(answer, -7);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace home
