// Applies a git delta (git's Documentation/gitformat-pack.txt, "Deltified representation") to its
// base, as git's patch-delta.c does, for deltas that come from a hostile repository: every copy
// stays inside the base, every insert inside the delta, and the result is exactly the size the
// delta announces, which must be no more than the caller allows. Anything else is refused whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace home {

// The two sizes a delta starts with (little-endian base-128 varints); false when `delta` does not
// start with two complete ones. `*header_bytes` is where its instructions start.
bool ReadDeltaSizes(const unsigned char* delta, size_t delta_size, uint64_t* base_size, uint64_t* result_size,
                    size_t* header_bytes);

// `delta` applied to `base`, into `out` (replaced); false, with `out` emptied, when the delta is
// malformed, is not for a base of this size, or makes more than `max_result_bytes`.
bool ApplyDelta(const unsigned char* base, size_t base_size, const unsigned char* delta, size_t delta_size,
                uint64_t max_result_bytes, std::vector<unsigned char>* out);

}  // namespace home
