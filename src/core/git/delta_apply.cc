#include "core/git/delta_apply.h"

#include <cstring>

namespace home {
namespace {

bool ReadVarint(const unsigned char* p, size_t size, size_t* pos, uint64_t* value) {
  uint64_t v = 0;
  for (unsigned shift = 0; *pos < size && shift < 64; shift += 7) {
    const unsigned char c = p[(*pos)++];
    v |= static_cast<uint64_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) {
      *value = v;
      return true;
    }
  }
  return false;
}

}  // namespace

bool ReadDeltaSizes(const unsigned char* delta, size_t delta_size, uint64_t* base_size, uint64_t* result_size,
                    size_t* header_bytes) {
  size_t pos = 0;
  if (!ReadVarint(delta, delta_size, &pos, base_size) || !ReadVarint(delta, delta_size, &pos, result_size)) return false;
  *header_bytes = pos;
  return true;
}

bool ApplyDelta(const unsigned char* base, size_t base_size, const unsigned char* delta, size_t delta_size,
                uint64_t max_result_bytes, std::vector<unsigned char>* out) {
  out->clear();
  uint64_t want_base = 0, result_size = 0;
  size_t pos = 0;
  if (!ReadDeltaSizes(delta, delta_size, &want_base, &result_size, &pos)) return false;
  if (want_base != base_size || result_size > max_result_bytes) return false;
  out->resize(result_size);
  unsigned char* dst = out->data();
  uint64_t written = 0;
  bool refused = false;
  while (!refused && pos < delta_size) {
    const unsigned char op = delta[pos++];
    if (op & 0x80) {
      // Copy from the base: which of 4 offset and 3 size bytes follow, by the op's low 7 bits.
      uint64_t operand[7] = {};
      for (int i = 0; i < 7 && !refused; ++i) {
        if (!(op & (1u << i))) continue;
        refused = pos == delta_size;  // an operand cut off by the delta's end
        if (!refused) operand[i] = delta[pos++];
      }
      if (refused) break;
      const uint64_t offset = operand[0] | operand[1] << 8 | operand[2] << 16 | operand[3] << 24;
      uint64_t size = operand[4] | operand[5] << 8 | operand[6] << 16;
      if (size == 0) size = 0x10000;
      if (offset > base_size || size > base_size - offset || size > result_size - written) {
        refused = true;
        break;
      }
      std::memcpy(dst + written, base + offset, size);
      written += size;
    } else if (op != 0) {
      // Insert the next `op` bytes of the delta.
      if (op > delta_size - pos || op > result_size - written) {
        refused = true;
        break;
      }
      std::memcpy(dst + written, delta + pos, op);
      pos += op;
      written += op;
    } else {
      refused = true;  // reserved: no delta git writes has it
      break;
    }
  }
  if (refused || written != result_size) {
    out->clear();
    return false;
  }
  return true;
}

}  // namespace home
