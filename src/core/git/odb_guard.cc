#include "core/git/odb_guard.h"

#include <git2/sys/errors.h>
#include <git2/sys/odb_backend.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/git/git_error.h"
#include "core/git/pack_object_cache.h"
#include "core/git/pack_scan_thread.h"
#include "core/git/pack_writer.h"

namespace home {
namespace {

// Ahead of libgit2's own backends (loose and packed objects: priorities 1 and 2).
constexpr int kGuardPriority = 1000;
// What the pack stream's objects may keep in memory for checkout (pack_object_cache.h): a
// dotfiles repository whole, a large one's small files. Larger files are read from the pack.
constexpr uint64_t kCacheBytes = uint64_t{32} << 20;
constexpr uint64_t kCacheObjectBytes = uint64_t{1} << 20;

// The backend and its writepack as libgit2 sees them: libgit2's struct first, then ours.
struct GuardBackend {
  git_odb_backend parent;
  CloneBudget* budget;
  git_odb_backend* packs;  // the repository's own backend that writes packs; the odb owns it
  std::string pack_dir;    // where that backend writes them
  OdbGuardCounts* counts;
  std::unique_ptr<PackObjectCache> objects;  // of the last pack fetched, once indexed
};

// The pack goes to our own file (pack_writer.h) while the scanner names every object; from the
// first chunk in which it does not, to libgit2's indexer (`inner`), which is given the file so far
// first.
struct GuardWritepack {
  git_odb_writepack parent;
  git_odb_writepack* inner;
  CloneBudget* budget;
  git_indexer_progress_cb progress;
  void* payload;
  PackWriter own;
  bool writing_own = true;
  std::unique_ptr<PackObjectCache> cache;  // before the scanner, which fills it
  PackScanThread scanner;
  GuardWritepack(uint64_t max, uint64_t cache_bytes, CloneBudget* b, const std::string& pack_dir)
      : parent{},
        inner(nullptr),
        budget(b),
        progress(nullptr),
        payload(nullptr),
        own(pack_dir),
        cache(std::make_unique<PackObjectCache>(cache_bytes, kCacheObjectBytes)),
        scanner(max, cache.get()) {}
  ~GuardWritepack() {
    if (inner != nullptr) inner->free(inner);
  }
  GuardWritepack(const GuardWritepack&) = delete;
  GuardWritepack& operator=(const GuardWritepack&) = delete;
};

GuardBackend* Of(git_odb_backend* backend) { return reinterpret_cast<GuardBackend*>(backend); }
GuardWritepack* Of(git_odb_writepack* writepack) { return reinterpret_cast<GuardWritepack*>(writepack); }

int Refuse(GuardWritepack* self) {
  self->budget->CountPackObject(self->scanner.refused_size());
  git_error_set_str(GIT_ERROR_INDEXER, "the pack holds an object over maxFileBytes");
  return -1;
}

// The deadline, the abort or a limit said stop (the clone reports which).
int Stopped() {
  git_error_set_str(GIT_ERROR_ODB, "stopped: the clone was aborted, timed out or is too large");
  return -1;
}

int OwnFileFailed(GuardWritepack* self) {
  git_error_set_str(GIT_ERROR_OS, self->own.error().c_str());
  return -1;
}

// From here on libgit2's indexer has the pack: everything our file holds first.
int HandToLibgit2(GuardWritepack* self, git_indexer_progress* stats) {
  self->writing_own = false;
  int rc = 0;
  // The indexer's own progress calls come once an object: between chunks, the deadline and the
  // abort are asked here, as the transport would between the chunks of the stream.
  const bool read = self->own.Replay(
      [self, stats](const unsigned char* data, size_t size) {
        if (self->budget->ShouldStop()) return Stopped();
        return self->inner->append(self->inner, data, size, stats);
      },
      &rc);
  if (!read) return OwnFileFailed(self);
  self->own.Discard();
  return rc;
}

// The progress libgit2's indexer would report: each object indexed as it ends, its delta included.
int Report(GuardWritepack* self, git_indexer_progress* stats) {
  const ScanProgress& scan = self->scanner.progress();
  stats->total_objects = static_cast<unsigned int>(scan.total);
  stats->received_objects = static_cast<unsigned int>(scan.objects);
  stats->indexed_objects = static_cast<unsigned int>(scan.objects);
  stats->indexed_deltas = static_cast<unsigned int>(scan.deltas);
  if (self->progress == nullptr) return 0;
  if (int rc = self->progress(stats, self->payload); rc != 0) {
    git_error_set_str(GIT_ERROR_CALLBACK, "the pack's progress callback stopped it");
    return rc;
  }
  return 0;
}

// A chunk the scanner has passed.
int Take(GuardWritepack* self, const std::vector<unsigned char>& chunk, git_indexer_progress* stats) {
  if (self->writing_own && !self->scanner.progress().complete) {
    if (int rc = HandToLibgit2(self, stats); rc != 0) return rc;
  }
  if (!self->writing_own) return self->inner->append(self->inner, chunk.data(), chunk.size(), stats);
  if (!self->own.Write(chunk.data(), chunk.size())) return OwnFileFailed(self);
  return Report(self, stats);
}

// The pack gets each chunk one call late: after the scanner has passed it (pack_scan_thread.h).
int Append(git_odb_writepack* w, const void* data, size_t size, git_indexer_progress* stats) {
  GuardWritepack* self = Of(w);
  const std::vector<unsigned char>* passed = self->scanner.Pass(static_cast<const unsigned char*>(data), size);
  if (passed == nullptr) return Refuse(self);
  if (passed->empty()) return 0;
  return Take(self, *passed, stats);
}

// A complete pack into place with the index of the scanner's ids; 1 when it is not one after all
// (a bad checksum, two objects with one id), for libgit2's indexer to refuse or index.
int CommitOwn(GuardWritepack* self, git_indexer_progress* stats) {
  const ScanProgress& scan = self->scanner.progress();
  if (!scan.complete || !scan.whole_pack || !self->own.ChecksumMatches()) return 1;
  if (!self->own.BuildIndex(self->cache->entries())) return 1;
  if (!self->own.Commit()) return OwnFileFailed(self);
  self->cache->IndexOwn();
  GuardBackend* guard = Of(self->parent.backend);
  guard->objects = std::move(self->cache);
  if (guard->counts != nullptr) guard->counts->packs_indexed_here.fetch_add(1, std::memory_order_relaxed);
  stats->total_deltas = static_cast<unsigned int>(scan.deltas);
  return Report(self, stats);
}

int Commit(git_odb_writepack* w, git_indexer_progress* stats) {
  GuardWritepack* self = Of(w);
  const std::vector<unsigned char>* last = self->scanner.Finish();
  if (last == nullptr) return Refuse(self);
  if (!last->empty()) {
    if (int rc = Take(self, *last, stats); rc != 0) return rc;
  }
  if (self->writing_own) {
    const int rc = CommitOwn(self, stats);
    if (rc <= 0) return rc;
    if (int replayed = HandToLibgit2(self, stats); replayed != 0) return replayed;
  }
  if (int rc = self->inner->commit(self->inner, stats); rc < 0) return rc;
  if (OdbGuardCounts* counts = Of(w->backend)->counts; counts != nullptr) {
    counts->packs_indexed_by_libgit2.fetch_add(1, std::memory_order_relaxed);
  }
  // A pack whose index is not where its checksum says (libgit2 renames a pack it completes with
  // bases of its own) keeps nothing: its objects are read from the pack.
  GuardBackend* guard = Of(w->backend);
  const unsigned char* trailer = self->scanner.trailer();
  if (trailer != nullptr && self->cache->Index(PackFilePath(guard->pack_dir, trailer, ".idx"))) {
    guard->objects = std::move(self->cache);
  }
  return 0;
}

void FreeWritepack(git_odb_writepack* w) { std::unique_ptr<GuardWritepack> self(Of(w)); }

// Called with the object database's lock held (libgit2 1.8, git_odb_write_pack): nothing here
// may call back into the database's own functions.
int Writepack(git_odb_writepack** out, git_odb_backend* backend, git_odb* odb, git_indexer_progress_cb progress,
              void* payload) {
  GuardBackend* guard = Of(backend);
  const CloneLimits& limits = guard->budget->limits();
  // Kept objects are not libgit2's heap, but no more than an eighth of what it may have.
  const uint64_t cache_bytes = limits.max_memory_bytes != 0 ? std::min(kCacheBytes, limits.max_memory_bytes / 8) : kCacheBytes;
  auto wrapped = std::make_unique<GuardWritepack>(limits.max_file_bytes, cache_bytes, guard->budget, guard->pack_dir);
  if (int rc = guard->packs->writepack(&wrapped->inner, guard->packs, odb, progress, payload); rc < 0) return rc;
  if (!wrapped->own.Open()) return OwnFileFailed(wrapped.get());
  wrapped->progress = progress;
  wrapped->payload = payload;
  wrapped->parent.backend = backend;
  wrapped->parent.append = Append;
  wrapped->parent.commit = Commit;
  wrapped->parent.free = FreeWritepack;
  *out = &wrapped.release()->parent;
  return 0;
}

// Under the same lock. The budget's answer costs a clock read. An object the pack stream kept is
// copied out; any other is read by the backends behind this one (GIT_PASSTHROUGH).
int Read(void** data, size_t* size, git_object_t* type, git_odb_backend* backend, const git_oid* id) {
  GuardBackend* guard = Of(backend);
  if (guard->budget->ShouldStop()) return Stopped();
  const PackObjectCache::Object* object = guard->objects ? guard->objects->Find(*id) : nullptr;
  if (object == nullptr) return GIT_PASSTHROUGH;
  // One byte more, zero, as libgit2's own backends read objects: an empty object (kept since the
  // pack's own index) is then a valid buffer too, never a zero-byte allocation.
  const size_t size_bytes = object->data.size();
  void* copy = git_odb_backend_data_alloc(backend, size_bytes + 1);
  if (copy == nullptr) return -1;  // libgit2's allocator said why (the heap limit)
  if (size_bytes != 0) std::memcpy(copy, object->data.data(), size_bytes);
  static_cast<unsigned char*>(copy)[size_bytes] = 0;
  *data = copy;
  *size = object->data.size();
  *type = object->type;
  if (guard->counts != nullptr) guard->counts->objects_from_stream.fetch_add(1, std::memory_order_relaxed);
  return 0;
}

// A header libgit2 asks for (the budget walk's sizes): a kept object's from memory. Any other is
// "not found" here, never "passed through": libgit2 turns a passthrough from a backend without
// the object into a whole read (odb.c, git_odb__read_header_or_object), and a "not found" into a
// refresh of its pack list and a second look (the pack backend has not seen the new pack when
// every read so far was answered here).
int ReadHeader(size_t* size, git_object_t* type, git_odb_backend* backend, const git_oid* id) {
  GuardBackend* guard = Of(backend);
  const PackObjectCache::Object* object = guard->objects ? guard->objects->Find(*id) : nullptr;
  if (object == nullptr) return GIT_ENOTFOUND;
  *size = object->data.size();
  *type = object->type;
  return 0;
}

void FreeBackend(git_odb_backend* backend) { std::unique_ptr<GuardBackend> owned(Of(backend)); }

}  // namespace

KeptObjects::KeptObjects(git_repository* repo) {
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, repo) < 0) return;
  std::unique_ptr<git_odb, void (*)(git_odb*)> odb(raw, git_odb_free);
  for (size_t i = 0, count = git_odb_num_backends(odb.get()); i < count; ++i) {
    git_odb_backend* backend = nullptr;
    // Ours is the backend whose read is this file's.
    if (git_odb_get_backend(&backend, odb.get(), i) != 0 || backend->read != Read) continue;
    cache_ = Of(backend)->objects.get();
    counts_ = Of(backend)->counts;
    return;
  }
}

const PackObjectCache::Object* KeptObjects::Find(const git_oid& id) const {
  const PackObjectCache::Object* object = cache_ != nullptr ? cache_->Find(id) : nullptr;
  if (object != nullptr && counts_ != nullptr) counts_->objects_from_stream.fetch_add(1, std::memory_order_relaxed);
  return object;
}

Error GuardObjectDatabase(git_repository* repo, CloneBudget* budget, OdbGuardCounts* counts) {
  git_odb* raw = nullptr;
  if (int rc = git_repository_odb(&raw, repo); rc < 0) return GitFailure("opening the object database", rc);
  std::unique_ptr<git_odb, void (*)(git_odb*)> odb(raw, git_odb_free);
  // The backend a fetch would write through without us: the first (by priority) that can.
  git_odb_backend* packs = nullptr;
  for (size_t i = 0, count = git_odb_num_backends(odb.get()); i < count && packs == nullptr; ++i) {
    git_odb_backend* candidate = nullptr;
    if (git_odb_get_backend(&candidate, odb.get(), i) == 0 && candidate->writepack != nullptr) packs = candidate;
  }
  if (packs == nullptr) return MakeError("ERR_CLONE_FAILED", "the repository has no backend that writes packs");
  auto guard = std::make_unique<GuardBackend>();
  if (int rc = git_odb_init_backend(&guard->parent, GIT_ODB_BACKEND_VERSION); rc < 0) {
    return GitFailure("initialising the object database guard", rc);
  }
  // Without a file limit there is nothing for the stream reader to refuse: the fetch writes
  // through the repository's own backend, with no second inflate.
  guard->parent.writepack = budget->limits().max_file_bytes != 0 ? Writepack : nullptr;
  guard->parent.read = Read;
  guard->parent.read_header = ReadHeader;
  guard->parent.free = FreeBackend;
  guard->budget = budget;
  guard->packs = packs;
  guard->counts = counts;
  // The pack backend's folder (libgit2's odb_pack.c): objects/pack of the repository.
  git_buf objects = GIT_BUF_INIT;
  if (int rc = git_repository_item_path(&objects, repo, GIT_REPOSITORY_ITEM_OBJECTS); rc < 0) {
    return GitFailure("finding the object directory", rc);
  }
  guard->pack_dir = std::string(objects.ptr, objects.size) + "pack";
  git_buf_dispose(&objects);
  if (int rc = git_odb_add_backend(odb.get(), &guard->parent, kGuardPriority); rc < 0) {
    return GitFailure("adding the object database guard", rc);
  }
  guard.release();  // the object database owns it now and frees it through FreeBackend
  return {};
}

}  // namespace home
