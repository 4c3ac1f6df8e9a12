// PackHeaderScanner: reads every object of real packs (whole objects, OFS and REF deltas) in
// pieces of any size, refuses an object or a delta's result announced over the limit before
// the rest of the pack is fed, and leaves what it cannot parse to the indexer. PackScanThread:
// the same on its own thread, handing each piece on only once the scanner has passed it.
#include "core/git/pack_header_scanner.h"
#include "core/git/pack_scan_thread.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "test_fs.h"

namespace home {
namespace {

using home::test::ReadBytes;
using home::test::Sh;

class PackHeaderScannerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new home::test::ScratchDir();
    root_ = scratch_->path();
    // 30 commits of one growing file, repacked deep: a pack of whole objects and long delta
    // chains, written once with offset deltas and once with deltas that name their base by id.
    const std::string git = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";
    ASSERT_EQ(Sh("cd " + root_ + " && " + git + "init -q r && cd r && head -c 60000 /dev/urandom | base64 > a && " +
                 "for i in $(seq 1 30); do echo line $i >> a; " + git + "add a; " + git + "commit -qm $i; done && " + git +
                 "repack -adq --depth=50 -f && echo HEAD | " + git + "pack-objects -q --stdout --revs --delta-base-offset > ../ofs.pack && " +
                 "echo HEAD | " + git + "pack-objects -q --stdout --revs > ../ref.pack && " + git +
                 "count-objects -v | sed -n 's/^in-pack: //p' > ../count"),
              0);
    const std::vector<unsigned char> count = ReadBytes(root_ + "/count");
    count_ = std::stoul(std::string(count.begin(), count.end()));
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  static home::test::ScratchDir* scratch_;
  static std::string root_;
  static unsigned long count_;
};
std::string PackHeaderScannerTest::root_;
home::test::ScratchDir* PackHeaderScannerTest::scratch_ = nullptr;
unsigned long PackHeaderScannerTest::count_ = 0;

// Feeds `pack` in pieces of `piece` bytes; returns false at the first refusal.
bool FeedInPieces(PackHeaderScanner* scanner, const std::vector<unsigned char>& pack, size_t piece) {
  for (size_t i = 0; i < pack.size(); i += piece) {
    if (!scanner->Feed(pack.data() + i, std::min(piece, pack.size() - i))) return false;
  }
  return true;
}

TEST_F(PackHeaderScannerTest, ReadsEveryObjectOfRealPacksInPiecesOfAnySize) {
  ASSERT_GT(count_, 60u);
  for (const char* name : {"ofs.pack", "ref.pack"}) {
    const std::vector<unsigned char> pack = ReadBytes(root_ + "/" + name);
    for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, size_t{65536}, pack.size()}) {
      PackHeaderScanner scanner(1 << 20);
      EXPECT_TRUE(FeedInPieces(&scanner, pack, piece)) << name << " in pieces of " << piece;
      EXPECT_FALSE(scanner.gave_up()) << name << " in pieces of " << piece;
      EXPECT_EQ(scanner.objects_seen(), count_) << name << " in pieces of " << piece;
    }
  }
}

TEST_F(PackHeaderScannerTest, RefusesAWholeObjectOverTheLimitBeforeItsData) {
  const std::vector<unsigned char> pack = ReadBytes(root_ + "/ofs.pack");
  // The file is about 80 KB: a limit of 1 KB refuses it (and nothing before it).
  PackHeaderScanner scanner(1000);
  EXPECT_FALSE(FeedInPieces(&scanner, pack, 64));
  EXPECT_GT(scanner.refused_size(), 1000u);
  EXPECT_FALSE(scanner.Feed(pack.data(), 1)) << "refused for good";
}

// A pack of one OFS_DELTA whose data says it makes a 10 GiB object from a small base: refused on
// the delta's first inflated bytes, its small size notwithstanding.
TEST_F(PackHeaderScannerTest, RefusesADeltaWhoseResultIsOverTheLimit) {
  std::vector<unsigned char> delta = {0x0a};  // base size 10
  uint64_t result = uint64_t{10} << 30;
  do {
    unsigned char c = result & 0x7f;
    result >>= 7;
    if (result != 0) c |= 0x80;
    delta.push_back(c);
  } while (result != 0);
  delta.push_back(0x91);  // copy: offset 0, size 1 byte follows
  delta.push_back(0x00);
  delta.push_back(0x0a);
  uLongf deflated_size = compressBound(delta.size());
  std::vector<unsigned char> deflated(deflated_size);
  ASSERT_EQ(compress(deflated.data(), &deflated_size, delta.data(), delta.size()), Z_OK);
  deflated.resize(deflated_size);
  std::vector<unsigned char> pack = {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 1};
  pack.push_back(static_cast<unsigned char>(0x80 | (6 << 4) | (delta.size() & 0x0f)));  // OFS_DELTA
  pack.push_back(static_cast<unsigned char>(delta.size() >> 4));
  pack.push_back(0x01);  // base offset
  pack.insert(pack.end(), deflated.begin(), deflated.end());
  PackHeaderScanner scanner(1 << 20);
  EXPECT_FALSE(scanner.Feed(pack.data(), pack.size()));
  EXPECT_EQ(scanner.refused_size(), uint64_t{10} << 30);
}

TEST_F(PackHeaderScannerTest, LeavesWhatItCannotReadToTheIndexer) {
  const std::string garbage = "this is not a pack at all, not even close";
  PackHeaderScanner scanner(1);
  EXPECT_TRUE(scanner.Feed(reinterpret_cast<const unsigned char*>(garbage.data()), garbage.size()));
  EXPECT_TRUE(scanner.gave_up());
  // A pack whose object data is not zlib.
  std::vector<unsigned char> broken = {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 1, 0x31, 'n', 'o', 't', ' ', 'z'};
  PackHeaderScanner second(1 << 20);
  EXPECT_TRUE(second.Feed(broken.data(), broken.size()));
  EXPECT_TRUE(second.gave_up());
}

TEST_F(PackHeaderScannerTest, NoLimitRefusesNothing) {
  const std::vector<unsigned char> pack = ReadBytes(root_ + "/ofs.pack");
  PackHeaderScanner scanner(0);
  EXPECT_TRUE(FeedInPieces(&scanner, pack, 4096));
  EXPECT_EQ(scanner.objects_seen(), count_);
}

// Through PackScanThread in pieces of `piece` bytes: what it hands on, and whether it passed all.
bool PassInPieces(PackScanThread* scan, const std::vector<unsigned char>& pack, size_t piece,
                  std::vector<unsigned char>* handed_on) {
  for (size_t i = 0; i < pack.size(); i += piece) {
    const std::vector<unsigned char>* passed = scan->Pass(pack.data() + i, std::min(piece, pack.size() - i));
    if (passed == nullptr) return false;
    handed_on->insert(handed_on->end(), passed->begin(), passed->end());
  }
  const std::vector<unsigned char>* last = scan->Finish();
  if (last == nullptr) return false;
  handed_on->insert(handed_on->end(), last->begin(), last->end());
  return true;
}

TEST_F(PackHeaderScannerTest, TheScanThreadHandsOnEveryByteInOrder) {
  const std::vector<unsigned char> pack = ReadBytes(root_ + "/ofs.pack");
  for (size_t piece : {size_t{1}, size_t{4096}, pack.size()}) {
    PackScanThread scan(1 << 20);
    std::vector<unsigned char> handed_on;
    EXPECT_TRUE(PassInPieces(&scan, pack, piece, &handed_on)) << "pieces of " << piece;
    EXPECT_EQ(handed_on, pack) << "pieces of " << piece;
  }
}

TEST_F(PackHeaderScannerTest, TheScanThreadNeverHandsOnWhatItRefused) {
  const std::vector<unsigned char> pack = ReadBytes(root_ + "/ofs.pack");
  PackScanThread scan(1000);
  std::vector<unsigned char> handed_on;
  EXPECT_FALSE(PassInPieces(&scan, pack, 64, &handed_on));
  EXPECT_GT(scan.refused_size(), 1000u);
  // What it handed on is the pack's start, and a scanner with the same limit accepts all of it:
  // the refused object's header is not in it.
  ASSERT_LT(handed_on.size(), pack.size());
  EXPECT_TRUE(std::equal(handed_on.begin(), handed_on.end(), pack.begin()));
  PackHeaderScanner alone(1000);
  EXPECT_TRUE(alone.Feed(handed_on.data(), handed_on.size()));
  EXPECT_EQ(scan.Pass(pack.data(), 1), nullptr) << "refused for good";
}

TEST_F(PackHeaderScannerTest, TheScanThreadStopsWhereverItIsLeft) {
  const std::vector<unsigned char> pack = ReadBytes(root_ + "/ofs.pack");
  for (size_t fed : {size_t{0}, size_t{1}, size_t{3}}) {
    PackScanThread scan(1 << 20);
    for (size_t i = 0; i < fed; ++i) ASSERT_NE(scan.Pass(pack.data() + i * 4096, 4096), nullptr);
  }  // each destroyed mid-stream, its last piece perhaps still being scanned: joins, no leak
}

}  // namespace
}  // namespace home
