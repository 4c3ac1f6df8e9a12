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
  // An empty object costs nothing to read from the pack.
  if (!wanted || size == 0 || size > max_object_ || size > max_total_ - total_) return nullptr;
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

void PackObjectCache::Keep() {
  if (!has_pending_) return;
  has_pending_ = false;
  if (pending_base_) return KeepDelta(*pending_base_);
  by_offset_[pending_offset_] = std::move(pending_);
  pending_ = Object{};
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
    if (it->second.made && !git_oid_equal(&it->second.id, &id)) {
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
