#include "core/git/pack_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/base/sha1.h"
#include "core/base/unique_fd.h"

namespace home {
namespace {

constexpr unsigned char kMagic[4] = {0xff, 't', 'O', 'c'};
constexpr size_t kHeaderBytes = 8;
constexpr size_t kFanoutBytes = 256 * 4;
constexpr size_t kIdBytes = GIT_OID_SHA1_SIZE;
// A pack's checksum and the index's own, at its end.
constexpr size_t kTrailerBytes = 2 * GIT_OID_SHA1_SIZE;
// An index larger than this is not one of a clone we made: the budget caps a clone's objects far
// below the 2^24 entries (about 470 MB of index) it would take.
constexpr off_t kMaxIndexBytes = off_t{512} << 20;

uint32_t Be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void PutBe32(std::vector<unsigned char>* out, uint32_t v) {
  const unsigned char bytes[4] = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                                  static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  out->insert(out->end(), bytes, bytes + 4);
}

// Offsets past this take a slot in the table of 8-byte offsets (the 4-byte entry's top bit says so).
constexpr uint64_t kMaxShortOffset = 0x7fffffffu;

bool ReadWhole(const std::string& path, std::vector<unsigned char>* out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxIndexBytes) return false;
  out->resize(static_cast<size_t>(st.st_size));
  size_t have = 0;
  while (have < out->size()) {
    const ssize_t n = ::read(fd.get(), out->data() + have, out->size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    have += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool ForEachPackIndexEntry(const std::string& path, const std::function<void(const git_oid&, uint64_t)>& each) {
  std::vector<unsigned char> file;
  if (!ReadWhole(path, &file) || file.size() < kHeaderBytes + kFanoutBytes + kTrailerBytes) return false;
  const unsigned char* p = file.data();
  if (std::memcmp(p, kMagic, sizeof kMagic) != 0 || Be32(p + 4) != 2) return false;
  const unsigned char* fanout = p + kHeaderBytes;
  const uint64_t count = Be32(fanout + kFanoutBytes - 4);
  // Ids, then their CRC-32s, then 4-byte offsets; 8-byte offsets after them for whoever needs one.
  const size_t ids = kHeaderBytes + kFanoutBytes;
  const size_t offsets = ids + count * (kIdBytes + 4);
  const size_t large = offsets + count * 4;
  if (large + kTrailerBytes > file.size()) return false;
  const uint64_t large_count = (file.size() - kTrailerBytes - large) / 8;
  std::vector<std::pair<git_oid, uint64_t>> entries(count);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t offset = Be32(p + offsets + i * 4);
    if (offset & 0x80000000u) {
      const uint64_t slot = offset & 0x7fffffffu;
      if (slot >= large_count) return false;
      const unsigned char* q = p + large + slot * 8;
      offset = (uint64_t{Be32(q)} << 32) | Be32(q + 4);
    }
    if (git_oid_fromraw(&entries[i].first, p + ids + i * kIdBytes) < 0) return false;
    entries[i].second = offset;
  }
  for (const auto& [id, offset] : entries) each(id, offset);
  return true;
}

std::string PackFilePath(const std::string& pack_dir, const unsigned char* pack_checksum, const char* extension) {
  git_oid checksum;
  git_oid_fromraw(&checksum, pack_checksum);
  char hex[GIT_OID_SHA1_HEXSIZE + 1];
  git_oid_tostr(hex, sizeof hex, &checksum);
  return pack_dir + "/pack-" + hex + extension;
}

bool BuildPackIndex(std::vector<PackIndexEntry> entries, const unsigned char* pack_checksum,
                    std::vector<unsigned char>* out) {
  std::sort(entries.begin(), entries.end(),
            [](const PackIndexEntry& a, const PackIndexEntry& b) { return git_oid_cmp(&a.id, &b.id) < 0; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (git_oid_equal(&entries[i - 1].id, &entries[i].id)) return false;
  }
  out->clear();
  out->reserve(kHeaderBytes + kFanoutBytes + entries.size() * (kIdBytes + 8) + kTrailerBytes);
  out->insert(out->end(), kMagic, kMagic + sizeof kMagic);
  PutBe32(out, 2);
  // Fanout: how many ids start with a byte at most i.
  size_t at = 0;
  for (unsigned first = 0; first < 256; ++first) {
    while (at < entries.size() && entries[at].id.id[0] == first) ++at;
    PutBe32(out, static_cast<uint32_t>(at));
  }
  for (const PackIndexEntry& e : entries) out->insert(out->end(), e.id.id, e.id.id + kIdBytes);
  for (const PackIndexEntry& e : entries) PutBe32(out, e.crc);
  uint32_t large = 0;
  for (const PackIndexEntry& e : entries) PutBe32(out, e.offset > kMaxShortOffset ? 0x80000000u | large++ : static_cast<uint32_t>(e.offset));
  for (const PackIndexEntry& e : entries) {
    if (e.offset <= kMaxShortOffset) continue;
    PutBe32(out, static_cast<uint32_t>(e.offset >> 32));
    PutBe32(out, static_cast<uint32_t>(e.offset));
  }
  out->insert(out->end(), pack_checksum, pack_checksum + kIdBytes);
  Sha1 sha;
  sha.Update(out->data(), out->size());
  unsigned char own[Sha1::kSize];
  if (!sha.Final(own)) return false;
  out->insert(out->end(), own, own + sizeof own);
  return true;
}

}  // namespace home
