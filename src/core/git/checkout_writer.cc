#include "core/git/checkout_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <thread>

#include "core/base/unique_fd.h"
#include "core/git/git_error.h"
#include "core/git/git_holders.h"
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

// What the writer threads share. `next` hands out files; `failed` stops them all.
struct Shared {
  Shared(const TreeEntries& entries_, const std::vector<size_t>& files_, int workdir_,
         CloneBudget::Clock::time_point deadline_, const CancelFlag& cancel_)
      : entries(entries_), files(files_), workdir(workdir_), deadline(deadline_), cancel(cancel_) {}

  const TreeEntries& entries;
  const std::vector<size_t>& files;  // indexes of the entries that are files or links
  int workdir;
  CloneBudget::Clock::time_point deadline;
  const CancelFlag& cancel;
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
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
};

Error WriteFailure(const char* call, int err, const std::string& path) {
  return SysError("ERR_CLONE_FAILED", call, err, path, "checking out '" + path + "'");
}

Error WriteFile(int workdir, const TreeEntryToWrite& entry, const void* data, size_t size, struct stat* st) {
  const mode_t mode = entry.mode == kModeExecutable ? 0755 : 0644;
  UniqueFd fd(::openat(workdir, entry.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!fd) return WriteFailure("openat", errno, entry.path);
  const char* at = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd.get(), at, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return WriteFailure("write", errno, entry.path);
    at += n;
    size -= static_cast<size_t>(n);
  }
  if (::fstat(fd.get(), st) != 0) return WriteFailure("fstat", errno, entry.path);
  return {};
}

Error WriteEntry(git_repository* repo, int workdir, const TreeEntryToWrite& entry, struct stat* st) {
  git_blob* raw = nullptr;
  if (int rc = git_blob_lookup(&raw, repo, &entry.id); rc < 0) {
    Error e = GitFailure("reading a file to check out", rc);
    e.path = entry.path;
    return e;
  }
  GitPtr<git_blob, git_blob_free> blob(raw);
  const void* data = git_blob_rawcontent(blob.get());
  const size_t size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  if (entry.mode != kModeLink) return WriteFile(workdir, entry, data, size, st);
  const std::string target(static_cast<const char*>(data), size);
  if (::symlinkat(target.c_str(), workdir, entry.path.c_str()) != 0) return WriteFailure("symlinkat", errno, entry.path);
  if (::fstatat(workdir, entry.path.c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) return WriteFailure("fstatat", errno, entry.path);
  return {};
}

// One writer: takes files from `shared.next` until none are left or the writers stop. `on_file`
// runs after each file (the calling thread's reports progress).
void WriteFiles(git_repository* repo, Shared* shared, std::vector<Written>* out, const std::function<void()>& on_file) {
  for (size_t k; (k = shared->next.fetch_add(1, std::memory_order_relaxed)) < shared->files.size();) {
    if (k % kCheckEvery == 0 && shared->Stopped()) return;
    const size_t index = shared->files[k];
    Written written{index, {}};
    if (Error e = WriteEntry(repo, shared->workdir, shared->entries[index], &written.st)) {
      shared->Fail(std::move(e));
      return;
    }
    out->push_back(written);
    shared->done.fetch_add(1, std::memory_order_relaxed);
    if (on_file) on_file();
  }
}

// A writer thread's own handle on the repository: libgit2 objects are not shared between threads.
void WriterThread(const std::string& gitdir, Shared* shared, std::vector<Written>* out) {
  git_repository* raw = nullptr;
  if (int rc = git_repository_open_bare(&raw, gitdir.c_str()); rc < 0) {
    shared->Fail(GitFailure("opening the repository for checkout", rc));
    return;
  }
  GitRepository repo(raw);
  WriteFiles(repo.get(), shared, out, {});
}

// The index libgit2's checkout leaves: the tree's entries, each file's with the stat data of what
// was written, so that git compares stat data instead of hashing the files again.
Error WriteIndex(git_repository* repo, git_commit* commit, const TreeEntries& entries,
                 const std::vector<std::vector<Written>>& written) {
  git_index* raw_index = nullptr;
  if (int rc = git_repository_index(&raw_index, repo); rc < 0) return GitFailure("opening the index", rc);
  GitPtr<git_index, git_index_free> index(raw_index);
  git_tree* raw_tree = nullptr;
  if (int rc = git_commit_tree(&raw_tree, commit); rc < 0) return GitFailure("reading the tree", rc);
  GitTree tree(raw_tree);
  if (int rc = git_index_read_tree(index.get(), tree.get()); rc < 0) return GitFailure("reading the tree into the index", rc);
  for (const std::vector<Written>& list : written) {
    for (const Written& file : list) {
      const git_index_entry* existing = git_index_get_bypath(index.get(), entries[file.entry].path.c_str(), 0);
      if (existing == nullptr) return MakeError("ERR_CLONE_FAILED", "the index lost an entry", entries[file.entry].path);
      git_index_entry entry = *existing;
      entry.ctime.seconds = static_cast<int32_t>(file.st.st_ctim.tv_sec);
      entry.ctime.nanoseconds = static_cast<uint32_t>(file.st.st_ctim.tv_nsec);
      entry.mtime.seconds = static_cast<int32_t>(file.st.st_mtim.tv_sec);
      entry.mtime.nanoseconds = static_cast<uint32_t>(file.st.st_mtim.tv_nsec);
      entry.dev = static_cast<uint32_t>(file.st.st_dev);
      entry.ino = static_cast<uint32_t>(file.st.st_ino);
      entry.uid = file.st.st_uid;
      entry.gid = file.st.st_gid;
      entry.file_size = static_cast<uint32_t>(file.st.st_size);
      if (int rc = git_index_add(index.get(), &entry); rc < 0) return GitFailure("updating the index", rc);
    }
  }
  if (int rc = git_index_write(index.get()); rc < 0) return GitFailure("writing the index", rc);
  return {};
}

}  // namespace

Error WriteCheckout(git_repository* repo, git_commit* commit, const TreeEntries& entries,
                    CloneBudget* budget, const CheckoutProgressFn& progress, size_t threads) {
  const char* workdir_path = git_repository_workdir(repo);
  if (workdir_path == nullptr) return MakeError("ERR_CLONE_FAILED", "the repository has no work tree");
  UniqueFd workdir(::open(workdir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!workdir) return WriteFailure("open", errno, workdir_path);

  // Directories first, in the walk's order (a directory before what it holds), on this thread.
  std::vector<size_t> files;
  files.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const TreeEntryToWrite& entry = entries[i];
    if (entry.mode == kModeTree || entry.mode == kModeGitlink) {
      // A gitlink is an empty directory, as libgit2 leaves it (a submodule goes there).
      if (::mkdirat(workdir.get(), entry.path.c_str(), 0755) != 0 && errno != EEXIST) {
        return WriteFailure("mkdirat", errno, entry.path);
      }
    } else {
      files.push_back(i);
    }
  }
  if (Error e = budget->Check()) return e;

  threads = std::min<size_t>(threads, std::max<size_t>(1, files.size() / kMinFilesPerThread));
  Shared shared(entries, files, workdir.get(), budget->deadline(), budget->cancel());
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
    if (done - reported < kCheckEvery && done != files.size()) return;
    reported = done;
    if (budget->ShouldStop()) shared.Fail(budget->Check());
    if (progress) progress(done, files.size());
  };
  WriteFiles(repo, &shared, &written[0], on_file);
  for (std::thread& helper : helpers) helper.join();
  if (const Error& stop = budget->Check()) return stop;
  if (shared.failed) return shared.error;
  if (progress) progress(files.size(), files.size());
  return WriteIndex(repo, commit, entries, written);
}

}  // namespace home
