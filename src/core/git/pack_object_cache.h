// The objects of one pack, kept as the pack scanner (pack_header_scanner.h) inflates them, so
// that checkout reads each file from here instead of inflating it (and, for a delta, its base)
// from the pack a second time, and, when every object of the pack is kept, named by ids hashed
// here, so that the pack's index is written from them (pack_writer.h) instead of by libgit2's
// indexer, which would inflate and hash every object again and then resolve each delta from the
// file.
//
// Kept: objects stored whole, and deltas against a base earlier in the pack (OFS_DELTA, or
// REF_DELTA while the pack is complete) whose base is kept, applied to it here (delta_apply.h); each at most `max_object_bytes`,
// `max_total_bytes` in all (a delta's data counts while it waits to be applied). A whole object
// whose data does not inflate to exactly the size its header announced is not kept. Every kept
// object is hashed (git_odb_hash: libgit2's collision-detecting SHA-1) on the scanner's thread
// while the pack is still complete, that is while every object before it was kept; after the
// first that is not, only what a delta makes is hashed, to be checked against libgit2's index.
//
// Two stages. While the pack streams in, objects are kept by their offset in the pack. Then
// either IndexOwn() names them by the ids hashed here (a complete pack), or Index() by the ids of
// the index libgit2 wrote (pack_index.h), keeping a made object only if that index has its id at
// its offset: what is kept is what libgit2 would have read. Find() then answers the object
// database's reads (odb_guard.h).
#pragma once

#include <git2.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/git/pack_index.h"

namespace home {

class PackObjectCache {
 public:
  struct Object {
    git_object_t type = GIT_OBJECT_INVALID;
    std::vector<unsigned char> data;
    bool made = false;    // applied from a delta
    bool hashed = false;  // `id` is what its data hashes to
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
  // The same for a REF_DELTA, whose base is named by its 20-byte id: kept if an object before it
  // in a pack complete so far has that id (libgit2's pack builder, which serves file:// clones,
  // and servers without ofs-delta send these; a thin pack's bases are not in it, and not kept).
  unsigned char* StartRefDelta(uint64_t offset, const unsigned char* base_id, uint64_t size);
  void Keep();
  // Every object's end, kept or not: its `type` and `size` as its header gave them, and the
  // CRC-32 of its bytes in the pack. The pack stays complete while each one has an id.
  void Ended(uint64_t offset, int type, uint64_t size, uint32_t crc);
  // The pack is not complete (the scanner could not read the rest of it, or an object is not
  // kept): no more names, and those so far dropped.
  void GiveUp();

  // Whether every object so far is kept and named; their index entries, in pack order.
  bool complete() const { return complete_; }
  const std::vector<PackIndexEntry>& entries() const { return entries_; }

  // A complete pack, once its index is written from entries(): the kept objects by their ids.
  void IndexOwn();
  // After libgit2 has written the pack's index at `idx_path`: the kept objects by its ids, the
  // rest dropped. False, keeping nothing, when that index cannot be read.
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
  bool complete_ = true;
  std::vector<PackIndexEntry> entries_;
  std::unordered_map<git_oid, uint64_t, IdHash, IdEqual> offset_by_id_;  // of entries_, for REF_DELTA bases
  std::unordered_map<uint64_t, Object> by_offset_;
  std::unordered_map<git_oid, Object, IdHash, IdEqual> by_id_;
};

}  // namespace home
