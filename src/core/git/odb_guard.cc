#include "core/git/odb_guard.h"

#include <git2/sys/errors.h>
#include <git2/sys/odb_backend.h>

#include <memory>
#include <vector>

#include "core/git/git_error.h"
#include "core/git/pack_scan_thread.h"

namespace home {
namespace {

// Ahead of libgit2's own backends (loose and packed objects: priorities 1 and 2).
constexpr int kGuardPriority = 1000;

// The backend and its writepack as libgit2 sees them: libgit2's struct first, then ours.
struct GuardBackend {
  git_odb_backend parent;
  CloneBudget* budget;
  git_odb_backend* packs;  // the repository's own backend that writes packs; the odb owns it
};

struct GuardWritepack {
  git_odb_writepack parent;
  git_odb_writepack* inner;
  CloneBudget* budget;
  PackScanThread scanner;
  GuardWritepack(uint64_t max, CloneBudget* b) : parent{}, inner(nullptr), budget(b), scanner(max) {}
};

GuardBackend* Of(git_odb_backend* backend) { return reinterpret_cast<GuardBackend*>(backend); }
GuardWritepack* Of(git_odb_writepack* writepack) { return reinterpret_cast<GuardWritepack*>(writepack); }

int Refuse(GuardWritepack* self) {
  self->budget->CountPackObject(self->scanner.refused_size());
  git_error_set_str(GIT_ERROR_INDEXER, "the pack holds an object over maxFileBytes");
  return -1;
}

// The indexer gets each chunk one call late: after the scanner has passed it (pack_scan_thread.h).
int Append(git_odb_writepack* w, const void* data, size_t size, git_indexer_progress* stats) {
  GuardWritepack* self = Of(w);
  const std::vector<unsigned char>* passed = self->scanner.Pass(static_cast<const unsigned char*>(data), size);
  if (passed == nullptr) return Refuse(self);
  if (passed->empty()) return 0;
  return self->inner->append(self->inner, passed->data(), passed->size(), stats);
}

int Commit(git_odb_writepack* w, git_indexer_progress* stats) {
  GuardWritepack* self = Of(w);
  const std::vector<unsigned char>* last = self->scanner.Finish();
  if (last == nullptr) return Refuse(self);
  if (!last->empty()) {
    if (int rc = self->inner->append(self->inner, last->data(), last->size(), stats); rc < 0) return rc;
  }
  return self->inner->commit(self->inner, stats);
}

void FreeWritepack(git_odb_writepack* w) {
  std::unique_ptr<GuardWritepack> self(Of(w));
  if (self->inner != nullptr) self->inner->free(self->inner);
}

// Called with the object database's lock held (libgit2 1.8, git_odb_write_pack): nothing here
// may call back into the database's own functions.
int Writepack(git_odb_writepack** out, git_odb_backend* backend, git_odb* odb, git_indexer_progress_cb progress,
              void* payload) {
  GuardBackend* guard = Of(backend);
  auto wrapped = std::make_unique<GuardWritepack>(guard->budget->limits().max_file_bytes, guard->budget);
  if (int rc = guard->packs->writepack(&wrapped->inner, guard->packs, odb, progress, payload); rc < 0) return rc;
  wrapped->parent.backend = backend;
  wrapped->parent.append = Append;
  wrapped->parent.commit = Commit;
  wrapped->parent.free = FreeWritepack;
  *out = &wrapped.release()->parent;
  return 0;
}

// Under the same lock. The budget's answer costs a clock read; the object itself is read by the
// backends behind this one (GIT_PASSTHROUGH).
int Read(void**, size_t*, git_object_t*, git_odb_backend* backend, const git_oid*) {
  if (Of(backend)->budget->ShouldStop()) {
    git_error_set_str(GIT_ERROR_ODB, "stopped: the clone was aborted, timed out or is too large");
    return -1;
  }
  return GIT_PASSTHROUGH;
}

void FreeBackend(git_odb_backend* backend) { std::unique_ptr<GuardBackend> owned(Of(backend)); }

}  // namespace

Error GuardObjectDatabase(git_repository* repo, CloneBudget* budget) {
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
  guard->parent.free = FreeBackend;
  guard->budget = budget;
  guard->packs = packs;
  if (int rc = git_odb_add_backend(odb.get(), &guard->parent, kGuardPriority); rc < 0) {
    return GitFailure("adding the object database guard", rc);
  }
  guard.release();  // the object database owns it now and frees it through FreeBackend
  return {};
}

}  // namespace home
