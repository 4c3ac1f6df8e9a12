// libFuzzer target for ApplyDelta, which applies a hostile repository's deltas. The input is a
// base and a delta; the oracle, a second reading of the format written as plainly as possible
// (git's patch-delta.c, with std::string's bounds-checked operations): both must accept the same
// deltas and make the same bytes, and what is made is exactly the announced size, within the limit.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/git/delta_apply.h"

namespace {

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

std::optional<uint64_t> Varint(const std::string& d, size_t* pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= d.size()) return std::nullopt;
    const unsigned char c = static_cast<unsigned char>(d[(*pos)++]);
    v |= static_cast<uint64_t>(c & 0x7f) << shift;
    if (!(c & 0x80)) return v;
  }
  return std::nullopt;
}

std::optional<std::string> Oracle(const std::string& base, const std::string& d, uint64_t max) {
  size_t pos = 0;
  const auto base_size = Varint(d, &pos);
  const auto result_size = Varint(d, &pos);
  if (!base_size || !result_size || *base_size != base.size() || *result_size > max) return std::nullopt;
  std::string out;
  while (pos < d.size()) {
    const unsigned char op = static_cast<unsigned char>(d[pos++]);
    if (op == 0) return std::nullopt;
    if (op & 0x80) {
      uint64_t offset = 0, size = 0;
      for (int i = 0; i < 7; ++i) {
        if (!(op & (1 << i))) continue;
        if (pos >= d.size()) return std::nullopt;
        const uint64_t byte = static_cast<unsigned char>(d[pos++]);
        if (i < 4) offset |= byte << (8 * i);
        else size |= byte << (8 * (i - 4));
      }
      if (size == 0) size = 0x10000;
      if (offset + size > base.size()) return std::nullopt;
      out += base.substr(offset, size);
    } else {
      if (pos + op > d.size()) return std::nullopt;
      out += d.substr(pos, op);
      pos += op;
    }
    if (out.size() > *result_size) return std::nullopt;
  }
  if (out.size() != *result_size) return std::nullopt;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const uint64_t max = in.ConsumeIntegralInRange<uint64_t>(0, 1 << 20);
  const std::string base = in.ConsumeRandomLengthString(1 << 17);
  const std::string delta = in.ConsumeRemainingBytesAsString();
  std::vector<unsigned char> out = {7};
  const bool ok = home::ApplyDelta(reinterpret_cast<const unsigned char*>(base.data()), base.size(),
                                   reinterpret_cast<const unsigned char*>(delta.data()), delta.size(), max, &out);
  const std::optional<std::string> want = Oracle(base, delta, max);
  Require(ok == want.has_value(), "ApplyDelta and the oracle disagree on accepting the delta");
  if (!ok) {
    Require(out.empty(), "a refused delta made something");
    return 0;
  }
  Require(out.size() <= max, "a result over the limit");
  Require(std::string(out.begin(), out.end()) == *want, "ApplyDelta and the oracle made different bytes");
  return 0;
}
