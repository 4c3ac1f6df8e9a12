// Reads the header of every object of a pack stream as it arrives (git's pack format,
// Documentation/gitformat-pack.txt): each object's type and size, a delta's base reference, and,
// for a delta, the size of the object it makes (the first bytes of its inflated data). Finding
// where an object ends takes inflating it: into a small scratch buffer that is thrown away, or,
// for an object a PackObjectCache (pack_object_cache.h) keeps (a whole object, or a delta against
// a base earlier in the pack that the cache holds, named by offset or by id), into the cache.
// Whatever it cannot parse it leaves alone: libgit2's indexer, given the same stream, reports the
// damage. The cache also hears of every object's end, with the CRC-32 of its bytes (what a pack's
// index records).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace home {

class PackObjectCache;

// Feed it a pack in pieces of any size; it returns false at the first object that announces more
// than `max_object_bytes` (0: no limit), before reading that object's data, and keeps returning
// false after. With a `cache`, it hands the cache every object it inflates that the cache takes.
class PackHeaderScanner {
 public:
  explicit PackHeaderScanner(uint64_t max_object_bytes, PackObjectCache* cache = nullptr);
  ~PackHeaderScanner();
  PackHeaderScanner(const PackHeaderScanner&) = delete;
  PackHeaderScanner& operator=(const PackHeaderScanner&) = delete;

  bool Feed(const unsigned char* data, size_t size);

  uint64_t objects_seen() const { return objects_seen_; }
  uint64_t objects_total() const { return objects_total_; }  // what the pack's header announced
  uint64_t deltas_seen() const { return deltas_seen_; }
  // Whether bytes came after the trailer: a pack the indexer refuses.
  bool bytes_after_trailer() const { return bytes_after_trailer_; }
  uint64_t refused_size() const { return refused_size_; }  // what the refused object announced
  bool gave_up() const { return state_ == State::kGaveUp; }  // not a pack it can read: the indexer decides
  // The pack's checksum, its last 20 bytes, once the stream has reached them; null before. libgit2
  // names the pack's files after it.
  const unsigned char* trailer() const { return trailer_have_ == sizeof trailer_ ? trailer_ : nullptr; }

 private:
  enum class State { kPackHeader, kObjectHeader, kOfsBase, kRefBase, kData, kTrailer, kGaveUp, kRefused };
  struct Inflater;

  bool Announce(uint64_t size);
  void GiveUp();
  // Consumes compressed bytes of the current object; returns how many it used.
  size_t Inflate(const unsigned char* data, size_t size);
  void ObjectDone();

  uint64_t max_;
  State state_ = State::kPackHeader;
  unsigned char header_[12] = {};
  size_t header_have_ = 0;
  uint64_t objects_total_ = 0;
  uint64_t objects_seen_ = 0;
  uint64_t deltas_seen_ = 0;
  bool bytes_after_trailer_ = false;
  uint64_t refused_size_ = 0;
  uint64_t offset_ = 0;  // of the next byte fed, in the pack
  unsigned char trailer_[20] = {};
  size_t trailer_have_ = 0;
  // The object being read.
  uint64_t object_offset_ = 0;
  int type_ = 0;
  uint64_t size_ = 0;
  unsigned shift_ = 0;
  size_t ref_base_left_ = 0;
  unsigned char ref_base_[20] = {};  // a REF_DELTA's base id, as read so far
  uint64_t ofs_distance_ = 0;  // an OFS_DELTA's distance back to its base, as read so far
  unsigned ofs_bytes_ = 0;
  bool is_delta_ = false;
  // A delta's first inflated bytes: its base's size, then its result's, as varints.
  unsigned char delta_head_[20] = {};
  size_t delta_head_have_ = 0;
  bool delta_checked_ = false;
  unsigned long crc_ = 0;  // NOLINT(runtime/int): zlib's uLong, of the object's bytes so far
  // The object that ended in the current step of Feed, for the cache.
  bool ended_ = false;
  int ended_type_ = 0;
  uint64_t ended_size_ = 0;
  // Where the cache wants this object's data, and how much of it is there.
  unsigned char* keep_ = nullptr;
  uint64_t kept_ = 0;
  uint64_t inflated_ = 0;  // of the object's data so far, kept or not
  PackObjectCache* cache_;
  std::unique_ptr<Inflater> inflater_;
};

}  // namespace home
