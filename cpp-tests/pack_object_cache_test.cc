// PackObjectCache and ForEachPackIndexEntry against packs and indexes git writes: the scanner
// keeps the pack's objects, whole ones and deltas applied to their bases, byte for byte what
// `git cat-file` prints, named by the ids of git's own index; objects over the limits, deltas
// whose base is not kept and objects whose data does not inflate to their announced size are not
// kept; a made object whose id the index does not confirm is dropped; a malformed index is
// refused whole.
#include "core/git/pack_index.h"
#include "core/git/pack_object_cache.h"
#include "core/git/pack_header_scanner.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "test_fs.h"

namespace home {
namespace {

using home::test::ReadBytes;
using home::test::Sh;

void WriteFile(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string Output(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  pclose(pipe);
  return out;
}

git_oid Oid(const std::string& hex) {
  git_oid id;
  EXPECT_EQ(git_oid_fromstr(&id, hex.c_str()), 0) << hex;
  return id;
}

// One line of `git verify-pack -v`: a whole object has no delta depth and base after its offset.
struct PackedObject {
  std::string id;
  std::string type;
  uint64_t size = 0;
  uint64_t offset = 0;
  bool delta = false;
};

std::vector<unsigned char> OneEntryIndex(unsigned char id_byte, uint32_t offset);

const std::string kGit = "GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -c user.name=t -c user.email=t@t ";

class PackObjectCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new home::test::ScratchDir();
    root_ = scratch_->path();
    // A few files, one of them large and one empty, edited over 20 commits and repacked deep: a
    // pack of commits, trees, blobs and delta chains, with its index written by git.
    ASSERT_EQ(Sh("cd " + root_ + " && " + kGit + "init -q r && cd r && head -c 300000 /dev/urandom | base64 > big && " +
                 ": > empty && for i in $(seq 1 20); do echo line $i >> a; echo $i > \"f$((i % 4))\"; " + kGit +
                 "add -A; " + kGit + "commit -qm $i; done && " + kGit + "repack -adq --depth=50 -f && echo HEAD | " + kGit +
                 "pack-objects -q --stdout --revs --delta-base-offset > ../test.pack && cd .. && " + kGit +
                 "index-pack -o test.idx test.pack > /dev/null"),
              0);
    std::istringstream lines(Output("cd " + root_ + " && " + kGit + "verify-pack -v test.idx"));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      PackedObject o;
      uint64_t in_pack = 0;
      std::string depth;
      if (!(fields >> o.id >> o.type >> o.size >> in_pack >> o.offset) || o.id.size() != 40) continue;
      o.delta = static_cast<bool>(fields >> depth);
      objects_.push_back(o);
    }
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  // The pack fed through a scanner with `cache`, in pieces of `piece` bytes, then indexed.
  static void ScanAndIndex(PackObjectCache* cache, size_t piece) {
    const std::vector<unsigned char> pack = ReadBytes(root_ + "/test.pack");
    PackHeaderScanner scanner(0, cache);
    for (size_t i = 0; i < pack.size(); i += piece) {
      ASSERT_TRUE(scanner.Feed(pack.data() + i, std::min(piece, pack.size() - i)));
    }
    ASSERT_FALSE(scanner.gave_up());
    ASSERT_NE(scanner.trailer(), nullptr);
    EXPECT_TRUE(std::equal(scanner.trailer(), scanner.trailer() + 20, pack.end() - 20));
    ASSERT_TRUE(cache->Index(root_ + "/test.idx"));
  }

  static std::string Contents(const PackedObject& o) {
    return Output("cd " + root_ + "/r && " + kGit + "cat-file " + o.type + " " + o.id);
  }

  static home::test::ScratchDir* scratch_;
  static std::string root_;
  static std::vector<PackedObject> objects_;
};
std::string PackObjectCacheTest::root_;
home::test::ScratchDir* PackObjectCacheTest::scratch_ = nullptr;
std::vector<PackedObject> PackObjectCacheTest::objects_;

TEST_F(PackObjectCacheTest, ReadsGitsOwnIndex) {
  ASSERT_GT(objects_.size(), 40u);
  std::map<std::string, uint64_t> want;
  for (const PackedObject& o : objects_) want[o.id] = o.offset;
  std::map<std::string, uint64_t> got;
  std::string previous;
  ASSERT_TRUE(ForEachPackIndexEntry(root_ + "/test.idx", [&](const git_oid& id, uint64_t offset) {
    char hex[41];
    git_oid_tostr(hex, sizeof hex, &id);
    EXPECT_LT(previous, std::string(hex)) << "in id order";
    previous = hex;
    got[hex] = offset;
  }));
  EXPECT_EQ(got, want);
}

TEST_F(PackObjectCacheTest, KeepsEveryObjectAsGitReadsIt) {
  size_t whole = 0, deltas = 0;
  for (const PackedObject& o : objects_) (o.delta ? deltas : whole) += o.size != 0;
  ASSERT_GT(whole, 20u);
  ASSERT_GT(deltas, 20u);  // chains of them, up to --depth=50
  for (size_t piece : {size_t{1}, size_t{4096}, size_t{1} << 24}) {
    PackObjectCache cache(uint64_t{1} << 30, uint64_t{1} << 30);
    ScanAndIndex(&cache, piece);
    EXPECT_EQ(cache.mismatched(), 0u);
    size_t kept_count = 0;
    for (const PackedObject& o : objects_) {
      const PackObjectCache::Object* kept = cache.Find(Oid(o.id));
      const std::string contents = Contents(o);
      ASSERT_NE(kept, nullptr) << o.id << " " << o.type << (o.delta ? " (a delta)" : "") << " in pieces of " << piece;
      ++kept_count;
      EXPECT_STREQ(git_object_type2string(kept->type), o.type.c_str());
      EXPECT_EQ(kept->made, o.delta) << o.id;
      if (piece == 4096 || contents.empty()) {  // the empty file is kept too, while the pack is complete
        EXPECT_EQ(std::string(kept->data.begin(), kept->data.end()), contents) << o.id;
      }
    }
    EXPECT_EQ(cache.size(), kept_count) << "pieces of " << piece;
  }
}

TEST_F(PackObjectCacheTest, KeepsNoDeltaWhoseBaseItDidNotKeep) {
  // The big file is over the object limit and not kept; the small files' deltas are still made
  // from their kept bases.
  PackObjectCache cache(uint64_t{1} << 30, 100000);
  ScanAndIndex(&cache, 4096);
  EXPECT_EQ(cache.mismatched(), 0u);
  size_t made = 0;
  for (const PackedObject& o : objects_) {
    const PackObjectCache::Object* kept = cache.Find(Oid(o.id));
    if (o.size > 100000) {
      EXPECT_EQ(kept, nullptr) << o.id;
    }
    made += kept != nullptr && kept->made;
  }
  EXPECT_GT(made, 10u);
}

TEST_F(PackObjectCacheTest, DropsAMadeObjectTheIndexDoesNotName) {
  // An index whose one entry has another id at a delta's offset: what the delta made is not
  // confirmed, and goes (counted); a whole object's entry would only rename it.
  const PackedObject* delta = nullptr;
  for (const PackedObject& o : objects_) {
    if (o.delta && o.size != 0 && o.offset < (uint64_t{1} << 31)) {
      delta = &o;
      break;
    }
  }
  ASSERT_NE(delta, nullptr);
  const std::string idx = root_ + "/one-delta.idx";
  WriteFile(idx, OneEntryIndex(0x42, static_cast<uint32_t>(delta->offset)));
  PackObjectCache cache(uint64_t{1} << 30, uint64_t{1} << 30);
  const std::vector<unsigned char> pack = ReadBytes(root_ + "/test.pack");
  PackHeaderScanner scanner(0, &cache);
  ASSERT_TRUE(scanner.Feed(pack.data(), pack.size()));
  ASSERT_TRUE(cache.Index(idx));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.mismatched(), 1u);
}

TEST_F(PackObjectCacheTest, KeepsNothingOverItsLimits) {
  // The big file (about 400 KB) is over the object limit; the rest fit.
  PackObjectCache small_objects(uint64_t{1} << 30, 100000);
  ScanAndIndex(&small_objects, 4096);
  for (const PackedObject& o : objects_) {
    if (o.size > 100000) {
      EXPECT_EQ(small_objects.Find(Oid(o.id)), nullptr) << o.id;
    }
  }
  // A total limit of 2 KB keeps only what fits in it.
  PackObjectCache small_total(2000, 2000);
  ScanAndIndex(&small_total, 4096);
  uint64_t kept = 0;
  for (const PackedObject& o : objects_) {
    if (const PackObjectCache::Object* object = small_total.Find(Oid(o.id))) kept += object->data.size();
  }
  EXPECT_GT(kept, 0u);
  EXPECT_LE(kept, 2000u);
}

TEST_F(PackObjectCacheTest, KeepsNothingWithAnIndexItCannotRead) {
  const std::vector<unsigned char> idx = ReadBytes(root_ + "/test.idx");
  const std::string bad = root_ + "/bad.idx";
  std::vector<std::vector<unsigned char>> cases;
  cases.emplace_back(idx.begin(), idx.begin() + 1000);  // cut short in the fan-out table
  cases.emplace_back(idx.begin(), idx.end() - 100);     // cut short in the offsets
  cases.push_back(idx);
  cases.back()[7] = 3;  // version 3
  cases.push_back(idx);
  cases.back()[0] = 'P';  // not an index
  for (size_t i = 0; i < cases.size(); ++i) {
    WriteFile(bad, cases[i]);
    int calls = 0;
    EXPECT_FALSE(ForEachPackIndexEntry(bad, [&](const git_oid&, uint64_t) { ++calls; })) << "case " << i;
    EXPECT_EQ(calls, 0) << "case " << i;
    PackObjectCache cache(uint64_t{1} << 30, uint64_t{1} << 30);
    const std::vector<unsigned char> pack = ReadBytes(root_ + "/test.pack");
    PackHeaderScanner scanner(0, &cache);
    ASSERT_TRUE(scanner.Feed(pack.data(), pack.size()));
    EXPECT_FALSE(cache.Index(bad)) << "case " << i;
    EXPECT_EQ(cache.size(), 0u) << "case " << i;
  }
  EXPECT_FALSE(ForEachPackIndexEntry(root_ + "/missing.idx", [](const git_oid&, uint64_t) {}));
  EXPECT_FALSE(ForEachPackIndexEntry(root_, [](const git_oid&, uint64_t) {})) << "a directory";
}

// An index of our own making: one object, `id`, at `offset`, or through the large-offset table
// at a slot past its end.
std::vector<unsigned char> OneEntryIndex(unsigned char id_byte, uint32_t offset) {
  std::vector<unsigned char> idx = {0xff, 't', 'O', 'c', 0, 0, 0, 2};
  for (int i = 0; i < 256; ++i) {
    const uint32_t n = i >= id_byte ? 1 : 0;
    idx.insert(idx.end(), {0, 0, 0, static_cast<unsigned char>(n)});
  }
  idx.insert(idx.end(), 20, id_byte);  // the id
  idx.insert(idx.end(), 4, 0);         // its CRC-32
  idx.insert(idx.end(), {static_cast<unsigned char>(offset >> 24), static_cast<unsigned char>(offset >> 16),
                         static_cast<unsigned char>(offset >> 8), static_cast<unsigned char>(offset)});
  idx.insert(idx.end(), 40, 0);  // the two checksums
  return idx;
}

// A pack's object: its header (type, `announced` size), `between` (a delta's base reference),
// then `data` deflated.
void AppendObject(std::vector<unsigned char>* pack, int type, size_t announced, const std::vector<unsigned char>& between,
                  const std::string& data) {
  uLongf deflated_size = compressBound(data.size());
  std::vector<unsigned char> deflated(deflated_size);
  EXPECT_EQ(compress(deflated.data(), &deflated_size, reinterpret_cast<const Bytef*>(data.data()), data.size()), Z_OK);
  deflated.resize(deflated_size);
  unsigned char c = static_cast<unsigned char>((type << 4) | (announced & 0x0f));
  announced >>= 4;
  for (; announced != 0; announced >>= 7) {
    pack->push_back(c | 0x80);
    c = announced & 0x7f;
  }
  pack->push_back(c);
  pack->insert(pack->end(), between.begin(), between.end());
  pack->insert(pack->end(), deflated.begin(), deflated.end());
}

// A pack of one blob whose header announces `announced` bytes and whose data inflates to `data`.
std::vector<unsigned char> OneBlobPack(size_t announced, const std::string& data) {
  std::vector<unsigned char> pack = {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 1};
  AppendObject(&pack, 3, announced, {}, data);
  pack.insert(pack.end(), 20, 0);  // the trailer: not checked here
  return pack;
}

TEST_F(PackObjectCacheTest, KeepsOnlyDataThatInflatesToItsAnnouncedSize) {
  const std::string idx = root_ + "/one.idx";
  WriteFile(idx, OneEntryIndex(0x11, 12));
  git_oid id;
  std::vector<unsigned char> raw(20, 0x11);
  git_oid_fromraw(&id, raw.data());
  const std::string data(300, 'x');
  for (size_t announced : {size_t{300}, size_t{299}, size_t{301}, size_t{20}}) {
    PackObjectCache cache(1 << 20, 1 << 20);
    PackHeaderScanner scanner(0, &cache);
    const std::vector<unsigned char> pack = OneBlobPack(announced, data);
    scanner.Feed(pack.data(), pack.size());
    ASSERT_TRUE(cache.Index(idx));
    const PackObjectCache::Object* kept = cache.Find(id);
    if (announced == data.size()) {
      ASSERT_NE(kept, nullptr);
      EXPECT_EQ(std::string(kept->data.begin(), kept->data.end()), data);
    } else {
      EXPECT_EQ(kept, nullptr) << "announced " << announced << " for " << data.size() << " bytes";
    }
  }
}

TEST_F(PackObjectCacheTest, AnOffsetDeltaWithAHostileBaseIsNotKeptAndTheScanGoesOn) {
  const std::string base = "base object\n";
  // A delta that would copy the whole base, were its base found.
  const std::string delta = std::string{static_cast<char>(base.size()), static_cast<char>(base.size()),
                                        static_cast<char>(0x90), static_cast<char>(base.size())};
  std::vector<unsigned char> past_any_pack(12, 0xff);  // a distance past 2^64
  past_any_pack.push_back(0x7f);
  const std::vector<std::vector<unsigned char>> references = {
      past_any_pack,
      {0x7f},  // before the pack's start
      {0x00},  // the delta itself
  };
  for (size_t i = 0; i < references.size(); ++i) {
    std::vector<unsigned char> pack = {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 3};
    AppendObject(&pack, 3, base.size(), {}, base);
    const uint64_t delta_offset = pack.size();
    AppendObject(&pack, 6, delta.size(), references[i], delta);
    // Then a blob announcing more than the limit: the scanner must still be reading headers.
    AppendObject(&pack, 3, 5000, {}, "x");
    PackObjectCache cache(uint64_t{1} << 20, uint64_t{1} << 20);
    PackHeaderScanner scanner(4096, &cache);
    EXPECT_FALSE(scanner.Feed(pack.data(), pack.size())) << "reference " << i;
    EXPECT_EQ(scanner.refused_size(), 5000u) << "reference " << i;
    EXPECT_EQ(scanner.objects_seen(), 2u) << "reference " << i;
    // Nothing was made from it: an index naming an object at the delta's offset finds none.
    const std::string idx = root_ + "/hostile-base.idx";
    WriteFile(idx, OneEntryIndex(0x42, static_cast<uint32_t>(delta_offset)));
    ASSERT_TRUE(cache.Index(idx));
    EXPECT_EQ(cache.size(), 0u) << "reference " << i;
    EXPECT_EQ(cache.mismatched(), 0u) << "reference " << i;
  }
}

TEST_F(PackObjectCacheTest, RefusesAnIndexWhoseLargeOffsetIsOutsideItsTable) {
  const std::string idx = root_ + "/large.idx";
  WriteFile(idx, OneEntryIndex(0x22, 0x80000000u));  // slot 0 of an empty large-offset table
  EXPECT_FALSE(ForEachPackIndexEntry(idx, [](const git_oid&, uint64_t) {}));
  std::vector<unsigned char> with_table = OneEntryIndex(0x22, 0x80000000u);
  const std::vector<unsigned char> large = {0, 0, 0, 1, 0, 0, 0, 12};  // 2^32 + 12
  with_table.insert(with_table.end() - 40, large.begin(), large.end());
  WriteFile(idx, with_table);
  uint64_t offset = 0;
  EXPECT_TRUE(ForEachPackIndexEntry(idx, [&](const git_oid&, uint64_t o) { offset = o; }));
  EXPECT_EQ(offset, (uint64_t{1} << 32) + 12);
}


// The scanner's own naming of a pack, against git's index of it.
namespace own_index {

// `git show-index` of `idx`: "offset id (crc)" per object.
std::map<std::string, std::pair<uint64_t, uint32_t>> GitsEntries(const std::string& idx) {
  std::map<std::string, std::pair<uint64_t, uint32_t>> out;
  std::istringstream lines(Output(kGit + "show-index < " + idx));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    uint64_t offset = 0;
    std::string id, crc;
    if (fields >> offset >> id >> crc) out[id] = {offset, static_cast<uint32_t>(std::stoul(crc.substr(1, 8), nullptr, 16))};
  }
  return out;
}

std::map<std::string, std::pair<uint64_t, uint32_t>> OurEntries(const PackObjectCache& cache) {
  std::map<std::string, std::pair<uint64_t, uint32_t>> out;
  for (const PackIndexEntry& e : cache.entries()) {
    char hex[GIT_OID_SHA1_HEXSIZE + 1];
    git_oid_tostr(hex, sizeof hex, &e.id);
    out[hex] = {e.offset, e.crc};
  }
  return out;
}

// Scans `pack_path` whole into `cache` in pieces of `piece` bytes; the scanner for its trailer.
std::unique_ptr<PackHeaderScanner> Scan(const std::string& pack_path, PackObjectCache* cache, size_t piece) {
  const std::vector<unsigned char> pack = ReadBytes(pack_path);
  auto scanner = std::make_unique<PackHeaderScanner>(0, cache);
  for (size_t i = 0; i < pack.size(); i += piece) scanner->Feed(pack.data() + i, std::min(piece, pack.size() - i));
  return scanner;
}

}  // namespace own_index

TEST_F(PackObjectCacheTest, NamesEveryObjectOfAPackItKeepsWholeAsGitsIndexDoes) {
  // Offset deltas (the pack of the suite) and deltas by id (git pack-objects without
  // --delta-base-offset, as libgit2's pack builder writes them): the entries are git's, and the
  // index built from them is git's file byte for byte.
  ASSERT_EQ(Sh("cd " + root_ + "/r && echo HEAD | " + kGit + "pack-objects -q --stdout --revs > ../ref.pack && cd .. && " + kGit +
               "index-pack -o ref.idx ref.pack > /dev/null && " + kGit + "verify-pack -v ref.idx | grep -q ' [0-9]* [0-9a-f]\\{40\\}$'"),
            0)
      << "the pack has deltas by id";
  for (const std::string name : {"test", "ref"}) {
    for (size_t piece : {size_t{1}, size_t{4096}, size_t{1} << 24}) {
      PackObjectCache cache(uint64_t{1} << 30, uint64_t{1} << 30);
      const auto scanner = own_index::Scan(root_ + "/" + name + ".pack", &cache, piece);
      ASSERT_TRUE(cache.complete()) << name << " in pieces of " << piece;
      EXPECT_EQ(own_index::OurEntries(cache), own_index::GitsEntries(root_ + "/" + name + ".idx")) << name;
      std::vector<unsigned char> index;
      ASSERT_TRUE(BuildPackIndex(cache.entries(), scanner->trailer(), &index));
      EXPECT_TRUE(index == ReadBytes(root_ + "/" + name + ".idx")) << name << " in pieces of " << piece;
      cache.IndexOwn();
      EXPECT_EQ(cache.size(), objects_.size());
      for (const PackedObject& o : objects_) {
        EXPECT_NE(cache.Find(Oid(o.id)), nullptr) << o.id << " in " << name;
      }
    }
  }
}

TEST_F(PackObjectCacheTest, APackItCannotKeepWholeIsNotComplete) {
  // An object over the object limit, a total limit of 2 KB, and a thin pack (deltas by id against
  // objects it does not hold): no names of ours, libgit2's indexer decides.
  ASSERT_EQ(Sh("cd " + root_ + "/r && printf 'HEAD\\n^HEAD~5\\n' | " + kGit +
               "pack-objects -q --stdout --revs --thin > ../thin.pack"),
            0);
  struct Case {
    const char* name;
    std::string pack;
    uint64_t total, object;
  };
  for (const Case& c : {Case{"big object", root_ + "/test.pack", uint64_t{1} << 30, 100000},
                        Case{"small total", root_ + "/test.pack", 2000, 2000},
                        Case{"thin", root_ + "/thin.pack", uint64_t{1} << 30, uint64_t{1} << 30}}) {
    PackObjectCache cache(c.total, c.object);
    const auto scanner = own_index::Scan(c.pack, &cache, 4096);
    EXPECT_FALSE(scanner->gave_up()) << c.name;
    EXPECT_FALSE(cache.complete()) << c.name;
    EXPECT_TRUE(cache.entries().empty()) << c.name;
  }
  // Not a pack at all: the scanner gives up, and the pack is not complete either.
  PackObjectCache cache(uint64_t{1} << 30, uint64_t{1} << 30);
  PackHeaderScanner scanner(0, &cache);
  const unsigned char junk[] = {'P', 'A', 'C', 'K', 0, 0, 0, 9, 'n', 'o', 't', ' ', 'a', ' ', 'p', 'a', 'c', 'k'};
  scanner.Feed(junk, sizeof junk);
  EXPECT_TRUE(scanner.gave_up());
  EXPECT_FALSE(cache.complete());
}

// Two packs the pack's own index once named and must not (found by the pack_naming fuzzer, which
// checks every pack named here against libgit2's indexer): a version-3 pack, which git reads and
// libgit2 does not, so that libgit2 could not have opened the pack it was given; and an object
// announced empty whose data inflates to more, which git refuses and libgit2 names by what it
// inflated. Both are read to their end, as any pack, and left to libgit2's indexer.
TEST_F(PackObjectCacheTest, NamesNoVersion3PackAndNoObjectWhoseDataIsLongerThanAnnounced) {
  std::vector<unsigned char> version3 = {'P', 'A', 'C', 'K', 0, 0, 0, 3, 0, 0, 0, 1};
  AppendObject(&version3, 3, 2, {}, "hi");
  version3.insert(version3.end(), 20, 0);
  std::vector<unsigned char> control = version3;
  control[7] = 2;
  std::vector<unsigned char> longer = {'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 1};
  AppendObject(&longer, 4, 0, {}, "a");  // a tag announced empty
  longer.insert(longer.end(), 20, 0);
  for (const auto& [pack, named] : {std::pair{control, true}, std::pair{version3, false}, std::pair{longer, false},
                                    std::pair{OneBlobPack(0, ""), true}}) {
    PackObjectCache cache(1 << 20, 1 << 20);
    PackHeaderScanner scanner(0, &cache);
    EXPECT_TRUE(scanner.Feed(pack.data(), pack.size()));
    EXPECT_FALSE(scanner.gave_up());
    EXPECT_EQ(scanner.objects_seen(), 1u);
    EXPECT_NE(scanner.trailer(), nullptr);
    EXPECT_EQ(cache.complete(), named) << "version " << int{pack[7]} << ", " << pack.size() << " bytes";
    EXPECT_EQ(cache.entries().size(), named ? 1u : 0u);
  }
}

TEST_F(PackObjectCacheTest, BuildsNoIndexWithTwoObjectsOfOneIdAndReadsBackLargeOffsets) {
  git_oid a = Oid("1111111111111111111111111111111111111111");
  git_oid b = Oid("ff00000000000000000000000000000000000000");
  const unsigned char checksum[20] = {7};
  std::vector<unsigned char> index;
  EXPECT_FALSE(BuildPackIndex({{a, 12, 1}, {b, 40, 2}, {a, 90, 3}}, checksum, &index));
  // Past 2^31 an offset goes to the table of 8-byte offsets; both kinds read back.
  const uint64_t far = (uint64_t{1} << 33) + 5;
  ASSERT_TRUE(BuildPackIndex({{b, far, 2}, {a, 12, 1}}, checksum, &index));
  const std::string path = root_ + "/large.idx";
  WriteFile(path, index);
  std::map<std::string, uint64_t> got;
  ASSERT_TRUE(ForEachPackIndexEntry(path, [&](const git_oid& id, uint64_t offset) {
    char hex[GIT_OID_SHA1_HEXSIZE + 1];
    git_oid_tostr(hex, sizeof hex, &id);
    got[hex] = offset;
  }));
  EXPECT_EQ(got, (std::map<std::string, uint64_t>{{"1111111111111111111111111111111111111111", 12},
                                                   {"ff00000000000000000000000000000000000000", far}}));
}

}  // namespace
}  // namespace home
