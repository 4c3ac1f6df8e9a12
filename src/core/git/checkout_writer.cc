#include "core/git/checkout_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/base/unique_fd.h"
#include "core/base/write_all.h"
#include "core/git/git_error.h"
#include "core/git/git_holders.h"
#include "core/git/index_file.h"
#include "core/git/odb_guard.h"
#include "core/git/tree_entry_check.h"

namespace home {
namespace {

// Below this many files per thread, a thread costs more than it saves.
constexpr size_t kMinFilesPerThread = 256;
// How often a writer looks at the deadline and the cancel flag.
constexpr size_t kCheckEvery = 32;

struct Written {
  size_t entry;  // index into the entries
  struct stat st;
};

bool IsDirectory(const TreeEntryToWrite& entry) { return entry.mode == kModeTree || entry.mode == kModeGitlink; }

// What the writer threads share. `next` hands out the entries in the walk's order, directories
// and files alike, so that both cores make directories too; an entry whose directory another
// writer has taken but not made yet waits for it (`made`). The wait is short and cannot close a
// circle: that directory was handed out earlier, and making it waits only on entries earlier
// still. `failed` stops them all.
struct Shared {
  Shared(const TreeEntries& entries_, int workdir_, const KeptObjects& kept_,
         CloneBudget::Clock::time_point deadline_, const CancelFlag& cancel_)
      : entries(entries_),
        workdir(workdir_),
        kept(kept_),
        deadline(deadline_),
        cancel(cancel_),
        made(std::make_unique<std::atomic<bool>[]>(entries_.size())) {}

  const TreeEntries& entries;
  int workdir;
  const KeptObjects& kept;
  CloneBudget::Clock::time_point deadline;
  const CancelFlag& cancel;
  std::unique_ptr<std::atomic<bool>[]> made;  // by entry: the directory exists
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};  // files written
  std::atomic<bool> failed{false};
  std::mutex mutex;
  Error error;  // the first failure, under `mutex`

  void Fail(Error e) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!failed.exchange(true)) error = std::move(e);
  }
  bool Stopped() const {
    return failed.load(std::memory_order_relaxed) || cancel.cancelled() || CloneBudget::Clock::now() >= deadline;
  }
  // False when the writers stopped first (the writer that took the directory may be gone).
  bool WaitForDirectory(size_t entry) const {
    if (entry == kTopDirectory) return true;
    while (!made[entry].load(std::memory_order_acquire)) {
      if (Stopped()) return false;
      std::this_thread::yield();
    }
    return true;
  }
};

Error WriteFailure(const char* call, int err, const std::string& path) {
  return SysError("ERR_CLONE_FAILED", call, err, path, "checking out '" + path + "'");
}

// Where one writer reads its blobs: the objects the pack stream kept, straight from memory, and
// any other through a repository handle of the writer's own (libgit2 objects are not shared
// between threads), opened the first time one is needed.
class BlobReader {
 public:
  BlobReader(const KeptObjects& kept, git_repository* repo, std::string gitdir)
      : kept_(kept), repo_(repo), gitdir_(std::move(gitdir)) {}

  // The blob's bytes, valid until the next Read.
  Error Read(const TreeEntryToWrite& entry, const unsigned char** data, size_t* size) {
    if (const PackObjectCache::Object* object = kept_.Find(entry.id); object && object->type == GIT_OBJECT_BLOB) {
      *data = object->data.data();
      *size = object->data.size();
      return {};
    }
    if (repo_ == nullptr) {
      git_repository* raw = nullptr;
      if (int rc = git_repository_open_bare(&raw, gitdir_.c_str()); rc < 0) {
        return GitFailure("opening the repository for checkout", rc);
      }
      own_ = GitRepository(raw);
      repo_ = own_.get();
    }
    git_blob* raw = nullptr;
    if (int rc = git_blob_lookup(&raw, repo_, &entry.id); rc < 0) {
      Error e = GitFailure("reading a file to check out", rc);
      e.path = entry.path;
      return e;
    }
    blob_.reset(raw);
    *data = static_cast<const unsigned char*>(git_blob_rawcontent(raw));
    *size = static_cast<size_t>(git_blob_rawsize(raw));
    return {};
  }

 private:
  const KeptObjects& kept_;
  git_repository* repo_;  // the caller's, or own_
  std::string gitdir_;
  GitRepository own_;
  GitPtr<git_blob, git_blob_free> blob_;
};

Error WriteFile(int workdir, const TreeEntryToWrite& entry, const unsigned char* data, size_t size, struct stat* st) {
  const mode_t mode = entry.mode == kModeExecutable ? 0755 : 0644;
  UniqueFd fd(::openat(workdir, entry.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd) return WriteFailure("openat", errno, entry.path);
  if (!WriteAll(fd.get(), data, size)) return WriteFailure("write", errno, entry.path);
  if (::fstat(fd.get(), st) != 0) return WriteFailure("fstat", errno, entry.path);
  return {};
}

Error WriteEntry(BlobReader* reader, int workdir, const TreeEntryToWrite& entry, struct stat* st) {
  const unsigned char* data = nullptr;
  size_t size = 0;
  if (Error e = reader->Read(entry, &data, &size)) return e;
  if (entry.mode != kModeLink) return WriteFile(workdir, entry, data, size, st);
  const std::string target = size == 0 ? std::string() : std::string(reinterpret_cast<const char*>(data), size);
  if (::symlinkat(target.c_str(), workdir, entry.path.c_str()) != 0) return WriteFailure("symlinkat", errno, entry.path);
  if (::fstatat(workdir, entry.path.c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) return WriteFailure("fstatat", errno, entry.path);
  return {};
}

// A gitlink is an empty directory, as libgit2 leaves it (a submodule goes there).
Error MakeDirectory(int workdir, const TreeEntryToWrite& entry) {
  if (::mkdirat(workdir, entry.path.c_str(), 0755) != 0 && errno != EEXIST) return WriteFailure("mkdirat", errno, entry.path);
  return {};
}

// One writer: takes entries from `shared.next` until none are left or the writers stop.
// `on_file` runs after each file (the calling thread's reports progress).
void WriteEntries(BlobReader* reader, Shared* shared, std::vector<Written>* out, const std::function<void()>& on_file) {
  for (size_t k; (k = shared->next.fetch_add(1, std::memory_order_relaxed)) < shared->entries.size();) {
    if (k % kCheckEvery == 0 && shared->Stopped()) return;
    const TreeEntryToWrite& entry = shared->entries[k];
    if (!shared->WaitForDirectory(entry.parent)) return;
    if (IsDirectory(entry)) {
      if (Error e = MakeDirectory(shared->workdir, entry)) return shared->Fail(std::move(e));
      shared->made[k].store(true, std::memory_order_release);
      continue;
    }
    Written written{k, {}};
    if (Error e = WriteEntry(reader, shared->workdir, entry, &written.st)) return shared->Fail(std::move(e));
    out->push_back(written);
    shared->done.fetch_add(1, std::memory_order_relaxed);
    if (on_file) on_file();
  }
}

void WriterThread(const std::string& gitdir, Shared* shared, std::vector<Written>* out) {
  BlobReader reader(shared->kept, nullptr, gitdir);
  WriteEntries(&reader, shared, out, {});
}

// The index libgit2's checkout leaves, less its cache of tree ids (an index extension git
// rebuilds when it needs one): the tree's files and links with the stat data of what was
// written, so that git compares stat data instead of hashing the files again, and its gitlinks.
Error WriteIndex(git_repository* repo, const TreeEntries& entries, const std::vector<std::vector<Written>>& written) {
  std::vector<IndexFileEntry> index;
  for (const std::vector<Written>& list : written) {
    for (const Written& file : list) {
      const TreeEntryToWrite& entry = entries[file.entry];
      index.push_back({&entry.path, entry.id, entry.mode, file.st});
    }
  }
  for (const TreeEntryToWrite& entry : entries) {
    if (entry.mode == kModeGitlink) index.push_back({&entry.path, entry.id, entry.mode, {}});
  }
  return WriteIndexFile(std::string(git_repository_path(repo)) + "index", std::move(index));
}

}  // namespace

Error WriteCheckout(git_repository* repo, const TreeEntries& entries, CloneBudget* budget,
                    const CheckoutProgressFn& progress, size_t threads) {
  const char* workdir_path = git_repository_workdir(repo);
  if (workdir_path == nullptr) return MakeError("ERR_CLONE_FAILED", "the repository has no work tree");
  UniqueFd workdir(::open(workdir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!workdir) return WriteFailure("open", errno, workdir_path);
  if (Error e = budget->Check()) return e;

  size_t files = 0;
  for (const TreeEntryToWrite& entry : entries) files += IsDirectory(entry) ? 0 : 1;
  threads = std::min<size_t>(threads, std::max<size_t>(1, files / kMinFilesPerThread));
  const KeptObjects kept(repo);
  Shared shared(entries, workdir.get(), kept, budget->deadline(), budget->cancel());
  std::vector<std::vector<Written>> written(threads);
  std::vector<std::thread> helpers;
  const std::string gitdir = git_repository_path(repo);
  for (size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(WriterThread, gitdir, &shared, &written[t]);
    } catch (...) {
      break;  // no thread to be had: the ones started (at least this one) do the work
    }
  }
  size_t reported = 0;
  const auto on_file = [&] {
    const size_t done = shared.done.load(std::memory_order_relaxed);
    if (done - reported < kCheckEvery && done != files) return;
    reported = done;
    if (budget->ShouldStop()) shared.Fail(budget->Check());
    if (progress) progress(done, files);
  };
  BlobReader reader(kept, repo, gitdir);
  WriteEntries(&reader, &shared, &written[0], on_file);
  for (std::thread& helper : helpers) helper.join();
  if (const Error& stop = budget->Check()) return stop;
  if (shared.failed) return shared.error;
  if (progress) progress(files, files);
  return WriteIndex(repo, entries, written);
}

}  // namespace home
