#include "core/git/pack_header_scanner.h"

#include <git2.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/git/delta_apply.h"
#include "core/git/pack_object_cache.h"

namespace home {
namespace {

// Pack object types (git's Documentation/gitformat-pack.txt).
constexpr int kOfsDelta = 6;
constexpr int kRefDelta = 7;
// A REF_DELTA names its base by id: SHA-1, what every repository we clone uses.
constexpr size_t kBaseIdBytes = GIT_OID_SHA1_SIZE;
// Inflated bytes are thrown away as they come; this is how many at a time.
constexpr size_t kScratchBytes = 64 * 1024;

}  // namespace

struct PackHeaderScanner::Inflater {
  z_stream stream = {};
  bool ready = false;
  std::vector<unsigned char> scratch = std::vector<unsigned char>(kScratchBytes);
  Inflater() { ready = inflateInit(&stream) == Z_OK; }
  ~Inflater() {
    if (ready) inflateEnd(&stream);
  }
};

PackHeaderScanner::PackHeaderScanner(uint64_t max_object_bytes, PackObjectCache* cache)
    : max_(max_object_bytes), cache_(cache), inflater_(std::make_unique<Inflater>()) {
  if (!inflater_->ready) GiveUp();
}

void PackHeaderScanner::GiveUp() {
  state_ = State::kGaveUp;
  if (cache_ != nullptr) cache_->GiveUp();
}

PackHeaderScanner::~PackHeaderScanner() = default;

bool PackHeaderScanner::Announce(uint64_t size) {
  if (max_ == 0 || size <= max_) return true;
  refused_size_ = size;
  state_ = State::kRefused;
  return false;
}

void PackHeaderScanner::ObjectDone() {
  ++objects_seen_;
  if (is_delta_) ++deltas_seen_;
  // Feed tells the cache once this object's last bytes are in its CRC.
  ended_ = true;
  ended_type_ = type_;
  ended_size_ = size_;
  state_ = objects_seen_ == objects_total_ ? State::kTrailer : State::kObjectHeader;
  type_ = 0;
  size_ = 0;
  shift_ = 0;
  is_delta_ = false;
  delta_head_have_ = 0;
  delta_checked_ = false;
  keep_ = nullptr;
  kept_ = 0;
  inflated_ = 0;
}

size_t PackHeaderScanner::Inflate(const unsigned char* data, size_t size) {
  // zlib counts in uInt: a larger piece is taken in turns (Feed calls again for the rest).
  size = std::min<size_t>(size, 1u << 30);
  z_stream& z = inflater_->stream;
  z.next_in = const_cast<unsigned char*>(data);
  z.avail_in = static_cast<uInt>(size);
  for (;;) {
    // Into the cache's buffer while it has room, else into the scratch buffer.
    const bool keeping = keep_ != nullptr && kept_ < size_;
    unsigned char* out = keeping ? keep_ + kept_ : inflater_->scratch.data();
    const size_t room = keeping ? std::min<uint64_t>(size_ - kept_, 1u << 30) : inflater_->scratch.size();
    z.next_out = out;
    z.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = room - z.avail_out;
    inflated_ += produced;
    if (keeping) {
      kept_ += produced;
    } else if (produced != 0) {
      keep_ = nullptr;  // more data than the header announced: not kept
    }
    if (is_delta_ && !delta_checked_) {
      const size_t take = std::min(produced, sizeof delta_head_ - delta_head_have_);
      std::memcpy(delta_head_ + delta_head_have_, out, take);
      delta_head_have_ += take;
      uint64_t base_size = 0, result_size = 0;
      size_t header_bytes = 0;
      if (ReadDeltaSizes(delta_head_, delta_head_have_, &base_size, &result_size, &header_bytes)) {
        delta_checked_ = true;
        if (!Announce(result_size)) return size;
      } else if (delta_head_have_ == sizeof delta_head_ || rc == Z_STREAM_END) {
        // Two varints of at most 10 bytes each fit in delta_head_: this is no delta header, and
        // the indexer will say so.
        GiveUp();
        return size;
      }
    }
    if (rc == Z_STREAM_END) {
      if (keep_ != nullptr && kept_ == size_) cache_->Keep();
      // Data of another size than the header's is what git refuses ("inflate returned -5") and
      // libgit2's indexer names by what it inflated, under the header's size: such a pack is
      // not named here. (An empty object is named without being kept: Ended.)
      if (inflated_ != size_ && cache_ != nullptr) cache_->GiveUp();
      const size_t used = size - z.avail_in;
      inflateReset(&z);
      ObjectDone();
      return used;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      GiveUp();
      return size;
    }
    if (z.avail_in == 0 && z.avail_out != 0) return size;  // wants more input
  }
}

// One switch over the pack's states, longer than the rest of the package's functions on purpose:
// each case consumes bytes and hands over to the next state, and that hand-over reads best when
// every state is in view at once (as in zlib's own inflate).
bool PackHeaderScanner::Feed(const unsigned char* data, size_t size) {
  size_t i = 0;
  const uint64_t start = offset_;
  offset_ += size;
  while (i < size) {
    const size_t from = i;
    const bool in_object = state_ == State::kObjectHeader || state_ == State::kOfsBase || state_ == State::kRefBase ||
                           state_ == State::kData;
    switch (state_) {
      case State::kRefused:
        return false;
      case State::kGaveUp:
        return true;
      case State::kTrailer: {
        const size_t take = std::min(size - i, sizeof trailer_ - trailer_have_);
        std::memcpy(trailer_ + trailer_have_, data + i, take);
        trailer_have_ += take;
        if (size - i > take) bytes_after_trailer_ = true;
        return true;
      }
      case State::kPackHeader: {
        const size_t take = std::min(size - i, sizeof header_ - header_have_);
        std::memcpy(header_ + header_have_, data + i, take);
        header_have_ += take;
        i += take;
        if (header_have_ < sizeof header_) break;
        const uint32_t version = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) | (header_[6] << 8) | header_[7];
        if (std::memcmp(header_, "PACK", 4) != 0 || (version != 2 && version != 3)) {
          GiveUp();
          break;
        }
        // git reads version 3 too, libgit2 only 2: such a pack is still read for what its objects
        // announce, but not named, so that libgit2's indexer decides on it (and refuses it), as
        // it would on any pack the clone cannot index itself.
        if (version != 2 && cache_ != nullptr) cache_->GiveUp();
        objects_total_ = (uint64_t{header_[8]} << 24) | (uint64_t{header_[9]} << 16) | (header_[10] << 8) | header_[11];
        state_ = objects_total_ == 0 ? State::kTrailer : State::kObjectHeader;
        break;
      }
      case State::kObjectHeader: {
        if (shift_ == 0) {
          object_offset_ = start + i;
          crc_ = crc32(0L, Z_NULL, 0);
        }
        const unsigned char c = data[i++];
        if (shift_ == 0) {
          type_ = (c >> 4) & 7;
          size_ = c & 0x0f;
          shift_ = 4;
        } else if (shift_ < 64) {
          size_ |= static_cast<uint64_t>(c & 0x7f) << shift_;
          shift_ += 7;
        } else {
          GiveUp();
          break;
        }
        if (c & 0x80) break;
        if (type_ == 0 || type_ == 5) {
          GiveUp();
          break;
        }
        is_delta_ = type_ == kOfsDelta || type_ == kRefDelta;
        // A whole object's size is its own; a delta's is the delta's, and the size of what it
        // makes comes first in its data.
        if (!Announce(size_)) return false;
        if (type_ == kOfsDelta) {
          ofs_distance_ = 0;
          ofs_bytes_ = 0;
          state_ = State::kOfsBase;
        } else if (type_ == kRefDelta) {
          ref_base_left_ = kBaseIdBytes;
          state_ = State::kRefBase;
        } else {
          if (cache_ != nullptr) keep_ = cache_->Start(object_offset_, type_, size_);
          state_ = State::kData;
        }
        break;
      }
      case State::kOfsBase: {
        // How far back the base starts: big-endian base-128, each continuation adding one before
        // the shift (gitformat-pack.txt, "offset encoding"). Past 2^56, farther back than any
        // pack reaches: the indexer refuses it; here it only means the delta is not kept.
        const unsigned char c = data[i++];
        if (ofs_bytes_++ > 0) ofs_distance_ = ofs_distance_ < (uint64_t{1} << 56) ? (ofs_distance_ + 1) << 7 : UINT64_MAX;
        if (ofs_distance_ != UINT64_MAX) ofs_distance_ |= c & 0x7f;
        if (c & 0x80) break;
        state_ = State::kData;
        if (cache_ != nullptr && ofs_distance_ != 0 && ofs_distance_ <= object_offset_) {
          keep_ = cache_->StartDelta(object_offset_, object_offset_ - ofs_distance_, size_);
        }
        break;
      }
      case State::kRefBase: {
        const size_t take = std::min(size - i, ref_base_left_);
        std::memcpy(ref_base_ + (kBaseIdBytes - ref_base_left_), data + i, take);
        i += take;
        ref_base_left_ -= take;
        if (ref_base_left_ != 0) break;
        state_ = State::kData;
        if (cache_ != nullptr) keep_ = cache_->StartRefDelta(object_offset_, ref_base_, size_);
        break;
      }
      case State::kData:
        i += Inflate(data + i, size - i);
        if (state_ == State::kRefused) return false;
        break;
    }
    if (in_object) {
      crc_ = crc32_z(crc_, data + from, i - from);
      if (ended_ && cache_ != nullptr) cache_->Ended(object_offset_, ended_type_, ended_size_, static_cast<uint32_t>(crc_));
      ended_ = false;
    }
  }
  return state_ != State::kRefused;
}

}  // namespace home
