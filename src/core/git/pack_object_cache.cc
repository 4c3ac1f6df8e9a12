#include "core/git/pack_object_cache.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "core/git/delta_apply.h"
#include "core/git/pack_index.h"

namespace home {
namespace {

// Pack object types stored whole (git's Documentation/gitformat-pack.txt).
bool IsWholeObjectType(int type) {
  return type == GIT_OBJECT_COMMIT || type == GIT_OBJECT_TREE || type == GIT_OBJECT_BLOB || type == GIT_OBJECT_TAG;
}

}  // namespace

size_t PackObjectCache::IdHash::operator()(const git_oid& id) const {
  // An object id is already a uniform hash: its first bytes do.
  size_t h;
  std::memcpy(&h, id.id, sizeof h);
  return h;
}

PackObjectCache::PackObjectCache(uint64_t max_total_bytes, uint64_t max_object_bytes)
    : max_total_(max_total_bytes), max_object_(max_object_bytes) {}

unsigned char* PackObjectCache::Begin(bool wanted, uint64_t offset, uint64_t size) {
  if (has_pending_) {
    total_ -= pending_.data.size();
    has_pending_ = false;
  }
  // An empty object costs nothing to read from the pack (Ended names it all the same).
  if (size == 0) return nullptr;
  if (!wanted || size > max_object_ || size > max_total_ - total_) {
    // Known now, not at the object's end: the pack goes to libgit2's indexer before the bulk of
    // an object too large to keep arrives, and the indexer takes it chunk by chunk as it does.
    GiveUp();
    return nullptr;
  }
  pending_ = Object{};
  pending_.data.assign(size, 0);
  pending_offset_ = offset;
  total_ += size;
  has_pending_ = true;
  return pending_.data.data();
}

unsigned char* PackObjectCache::Start(uint64_t offset, int type, uint64_t size) {
  unsigned char* out = Begin(IsWholeObjectType(type), offset, size);
  pending_.type = static_cast<git_object_t>(type);
  pending_base_.reset();
  return out;
}

unsigned char* PackObjectCache::StartDelta(uint64_t offset, uint64_t base_offset, uint64_t size) {
  unsigned char* out = Begin(by_offset_.count(base_offset) != 0, offset, size);
  pending_base_ = base_offset;
  return out;
}

unsigned char* PackObjectCache::StartRefDelta(uint64_t offset, const unsigned char* base_id, uint64_t size) {
  git_oid id;
  const bool named = git_oid_fromraw(&id, base_id) == 0;
  const auto base = named ? offset_by_id_.find(id) : offset_by_id_.end();
  if (base != offset_by_id_.end()) return StartDelta(offset, base->second, size);
  return Begin(false, offset, size);
}

void PackObjectCache::Keep() {
  if (!has_pending_) return;
  has_pending_ = false;
  if (pending_base_) return KeepDelta(*pending_base_);
  // Only a complete pack's whole objects need ids of ours: otherwise libgit2's index names them.
  if (complete_) {
    pending_.hashed = git_odb_hash(&pending_.id, pending_.data.data(), pending_.data.size(), pending_.type) == 0;
  }
  by_offset_[pending_offset_] = std::move(pending_);
  pending_ = Object{};
}

void PackObjectCache::Ended(uint64_t offset, int type, uint64_t size, uint32_t crc) {
  if (!complete_) return;
  auto it = by_offset_.find(offset);
  if (it == by_offset_.end() && size == 0 && IsWholeObjectType(type)) {
    // Not kept because it is empty (Begin): as cheap to keep as to leave out, and named too.
    static const unsigned char kNothing = 0;
    Object empty;
    empty.type = static_cast<git_object_t>(type);
    empty.hashed = git_odb_hash(&empty.id, &kNothing, 0, empty.type) == 0;
    it = by_offset_.emplace(offset, std::move(empty)).first;
  }
  if (it == by_offset_.end() || !it->second.hashed) return GiveUp();
  entries_.push_back(PackIndexEntry{it->second.id, offset, crc});
  offset_by_id_.emplace(it->second.id, offset);
}

void PackObjectCache::GiveUp() {
  complete_ = false;
  entries_ = {};
  offset_by_id_ = {};
}

void PackObjectCache::IndexOwn() {
  has_pending_ = false;
  pending_ = Object{};
  for (auto& [offset, object] : by_offset_) {
    if (object.hashed) by_id_.emplace(object.id, std::move(object));
  }
  by_offset_.clear();
}

void PackObjectCache::KeepDelta(uint64_t base_offset) {
  const std::vector<unsigned char> delta = std::move(pending_.data);
  pending_ = Object{};
  total_ -= delta.size();
  const auto base = by_offset_.find(base_offset);
  if (base == by_offset_.end()) return;
  Object made;
  made.type = base->second.type;
  made.made = true;
  made.hashed = true;
  // An empty result costs nothing to read from the pack, as an empty whole object.
  if (!ApplyDelta(base->second.data.data(), base->second.data.size(), delta.data(), delta.size(),
                  std::min(max_object_, max_total_ - total_), &made.data) ||
      made.data.empty() || git_odb_hash(&made.id, made.data.data(), made.data.size(), made.type) != 0) {
    return;
  }
  total_ += made.data.size();
  by_offset_[pending_offset_] = std::move(made);
}

bool PackObjectCache::Index(const std::string& idx_path) {
  has_pending_ = false;
  pending_ = Object{};
  const bool read = ForEachPackIndexEntry(idx_path, [this](const git_oid& id, uint64_t offset) {
    auto it = by_offset_.find(offset);
    if (it == by_offset_.end()) return;
    if (it->second.made && !git_oid_equal(&it->second.id, &id)) {  // made objects are always hashed
      ++mismatched_;
      by_offset_.erase(it);
      return;
    }
    by_id_.emplace(id, std::move(it->second));
    by_offset_.erase(it);
  });
  // Whatever no id named (an index that is not this pack's would name none) goes.
  by_offset_.clear();
  if (!read) by_id_.clear();
  return read;
}

const PackObjectCache::Object* PackObjectCache::Find(const git_oid& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

}  // namespace home
