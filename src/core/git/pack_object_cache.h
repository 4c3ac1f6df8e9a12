// The objects of one pack, kept as the pack scanner (pack_header_scanner.h) inflates them on the
// stream's way to libgit2's indexer, so that checkout reads each file from here instead of
// inflating it (and, for a delta, its base) from the pack a second time. That second inflate was
// the most of checkout's CPU, and libgit2 runs it under its object database's lock: the checkout
// writer's threads (checkout_writer.h) took turns at it.
//
// Two stages. While the pack streams in, the scanner keeps objects by their offset in the pack.
// Once the indexer has written the pack's index (pack_index.h), Index() names them by id, and
// Find() answers the object database's reads (odb_guard.h). Kept: objects stored whole, and
// deltas against a base earlier in the pack (OFS_DELTA) whose base is kept, applied to it here
// (delta_apply.h); each at most `max_object_bytes`, `max_total_bytes` in all (a delta's data
// counts while it waits to be applied). A whole object whose data does not inflate to exactly the
// size its header announced is not kept (the indexer refuses such a pack anyway): its bytes are
// the ones the indexer hashed, through the same zlib. What a delta makes is our own work, so it is
// hashed here (on the scanner's thread) and kept only if Index() finds that id at its offset: what
// is kept is what libgit2 would have read.
#pragma once

#include <git2.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace home {

class PackObjectCache {
 public:
  struct Object {
    git_object_t type = GIT_OBJECT_INVALID;
    std::vector<unsigned char> data;
    bool made = false;  // applied from a delta; `id` is then what its data hashes to
    git_oid id = {};
  };

  PackObjectCache(uint64_t max_total_bytes, uint64_t max_object_bytes);

  // The scanner's side, one object at a time. Where to inflate the `size` bytes of the object of
  // `type` whose header starts at `offset`; null when it is not to be kept. An object started and
  // not kept before the next Start (or Index) is dropped.
  unsigned char* Start(uint64_t offset, int type, uint64_t size);
  // The same for an OFS_DELTA's `size` bytes of delta data, whose base starts at `base_offset`:
  // null unless that base is kept. Keep() applies it.
  unsigned char* StartDelta(uint64_t offset, uint64_t base_offset, uint64_t size);
  void Keep();

  // After the pack's index at `idx_path` is written: the kept objects by id, the rest dropped.
  // False, keeping nothing, when that index cannot be read.
  bool Index(const std::string& idx_path);

  const Object* Find(const git_oid& id) const;  // null: not kept, or not indexed yet
  size_t size() const { return by_id_.size(); }
  // Objects made from deltas that Index() dropped because the index has another id at their
  // offset: zero unless delta_apply.h and libgit2 disagree.
  uint64_t mismatched() const { return mismatched_; }

 private:
  // What Start and StartDelta share: drops the object started before, then makes room for this
  // one if `wanted` and it fits; null when it is not to be kept.
  unsigned char* Begin(bool wanted, uint64_t offset, uint64_t size);
  void KeepDelta(uint64_t base_offset);

  struct IdHash {
    size_t operator()(const git_oid& id) const;
  };
  struct IdEqual {
    bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b) != 0; }
  };

  uint64_t max_total_;
  uint64_t max_object_;
  uint64_t total_ = 0;
  uint64_t pending_offset_ = 0;
  std::optional<uint64_t> pending_base_;  // set: the pending object is a delta against this offset
  Object pending_;
  bool has_pending_ = false;
  uint64_t mismatched_ = 0;
  std::unordered_map<uint64_t, Object> by_offset_;
  std::unordered_map<git_oid, Object, IdHash, IdEqual> by_id_;
};

}  // namespace home
