// The overlay writer. Costs per file, which the benchmark holds us to: an unchanged file is one
// fstatat, one open, one fstat, one read and one close; a new or changed file is one fstatat
// (none in a directory the batch made), the temporary file's open, write, fchmod (fchown), close
// and one renameat. A directory costs one resolution for the whole batch, because files are taken
// directory by directory, and large batches spread their directories over a few threads.
#include "core/home/overlay_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "core/base/unique_fd.h"
#include "core/fs/atomic_file.h"

namespace home {
namespace {

constexpr mode_t kFileMode = 0644;
constexpr mode_t kExecutableMode = 0755;
// Compare buffer for the unchanged check; read in chunks so a large file costs no large buffer.
constexpr size_t kCompareChunk = 64 * 1024;
// Writer threads for one batch, this one included, and never more than the machine's cores.
// Creating files is kernel work that scales across directories for a few threads, then contends
// on the filesystem's own locks; and the worker serves many homes at once.
constexpr size_t kMaxWriterThreads = 4;
// Below this many files per thread, starting a thread costs more than it saves.
constexpr size_t kMinFilesPerThread = 128;

struct Entry {
  size_t index;             // position in the caller's list
  std::string normalized;   // "a/b/c"
  std::string_view parent;  // "a/b" (view into normalized), "" for the home itself
};

std::string_view ParentOf(std::string_view normalized) {
  size_t slash = normalized.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : normalized.substr(0, slash);
}

std::string Quoted(const std::string& path) { return "'" + path + "'"; }

// "<what>: 'a' (ERR_X), 'b' (ERR_Y)"
std::string Summary(const std::string& what, const std::vector<Error>& failures) {
  std::string out = what + ": ";
  for (size_t i = 0; i < failures.size(); ++i) {
    if (i) out += ", ";
    out += Quoted(failures[i].path) + " (" + failures[i].code + ")";
  }
  return out;
}

Error CheckBatch(const std::vector<OverlayFile>& files, const HomeOptions& options, std::vector<Entry>* entries,
                 std::vector<Error>* failures) {
  std::vector<std::pair<size_t, Error>> bad;
  entries->reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    Entry entry{i, {}, {}};
    if (Error e = CheckHomePath(files[i].path, options.container_home, &entry.normalized)) {
      bad.emplace_back(i, std::move(e));
      continue;
    }
    entries->push_back(std::move(entry));
  }
  // Views into `normalized` are taken only now that the vector no longer moves its strings.
  std::unordered_set<std::string_view> directories;  // every proper ancestor of an entry
  directories.reserve(entries->size());
  for (Entry& entry : *entries) {
    entry.parent = ParentOf(entry.normalized);
    for (std::string_view dir = entry.parent; !dir.empty(); dir = ParentOf(dir)) {
      if (!directories.insert(dir).second) break;  // its ancestors are in already
    }
  }
  // The same file twice: every entry whose clean path another entry also has.
  std::unordered_map<std::string_view, size_t> count;
  count.reserve(entries->size());
  for (const Entry& entry : *entries) ++count[entry.normalized];
  for (const Entry& entry : *entries) {
    const std::string& given = files[entry.index].path;
    if (count[entry.normalized] > 1) {
      bad.emplace_back(entry.index, MakeError("ERR_INVALID_PATH",
                                              "invalid overlay path: names the same file as another entry (" +
                                                  Quoted(entry.normalized) + ")",
                                              given));
    } else if (directories.count(entry.normalized)) {
      bad.emplace_back(
          entry.index,
          MakeError("ERR_INVALID_PATH", "invalid overlay path: is also the parent directory of another entry", given));
    }
  }
  if (bad.empty()) return {};

  std::sort(bad.begin(), bad.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  bool all_reserved = true;
  for (auto& [index, error] : bad) {
    all_reserved = all_reserved && error.code == "ERR_RESERVED_PATH";
    failures->push_back(std::move(error));
  }
  const char* code = all_reserved ? "ERR_RESERVED_PATH" : "ERR_INVALID_PATH";
  return MakeError(code, Summary("refusing the overlay, nothing was written; bad paths", *failures));
}

// Whether the file at `name` already is exactly what we would write. Any doubt is "no".
bool IsUnchanged(int dir, const std::string& name, const struct stat& st, const OverlayFile& file, mode_t mode,
                 const HomeOptions& options, std::vector<char>* buffer) {
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || (st.st_mode & 07777) != mode ||
      static_cast<uint64_t>(st.st_size) != file.bytes.size()) {
    return false;
  }
  if ((options.uid && st.st_uid != *options.uid) || (options.gid && st.st_gid != *options.gid)) return false;
  // O_NONBLOCK, O_NOCTTY: should the name turn into a fifo or a terminal between fstatat and open,
  // open must neither hang nor adopt it.
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!fd) return false;
  struct stat again;
  if (::fstat(fd.get(), &again) != 0 || !S_ISREG(again.st_mode) || again.st_ino != st.st_ino ||
      again.st_dev != st.st_dev || again.st_nlink != 1 || (again.st_mode & 07777) != mode ||
      again.st_size != st.st_size) {
    return false;
  }
  size_t offset = 0;
  const size_t size = file.bytes.size();
  while (offset < size) {
    size_t want = std::min(size - offset, buffer->size());
    ssize_t n = ::read(fd.get(), buffer->data(), want);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    if (std::memcmp(buffer->data(), file.bytes.data() + offset, static_cast<size_t>(n)) != 0) return false;
    offset += static_cast<size_t>(n);
  }
  return true;
}

enum class Outcome { kWritten, kUnchanged };

// Writes `file` at `name` in `dir`, where fstatat found `*st` (null: nothing there).
Error WriteAt(int dir, const std::string& name, const struct stat* st, const OverlayFile& file,
              const HomeOptions& options, std::vector<char>* buffer, Outcome* outcome) {
  const mode_t mode = file.executable ? kExecutableMode : kFileMode;
  if (st != nullptr) {
    if (S_ISDIR(st->st_mode))
      return MakeError("ERR_IS_DIRECTORY", "a directory is in the way (left as it is)", file.path);
    if (IsUnchanged(dir, name, *st, file, mode, options, buffer)) {
      *outcome = Outcome::kUnchanged;
      return {};
    }
  }
  FileAttributes attributes{mode, options.uid, options.gid};
  if (Error e = WriteFileAtomically(dir, name, file.bytes, attributes, ExistingName::kReplace, false, file.path)) {
    return e;
  }
  *outcome = Outcome::kWritten;
  return {};
}

// A symlink at the name is written through when it resolves inside the home (the link stays, as
// with the seed's writeFile); one that leads or dangles out, loops, or ends at a directory or in
// .spoon/ is replaced like any other file, never opened. In a directory this batch made there is
// nothing to look at first: anything at the name was put there since by the home's owner, and the
// rename replaces it without following it (a directory fails the rename with EISDIR instead).
Error WriteOne(const HomeRoot& root, const HomeRoot::Parent& dir, const std::string& name, std::string_view normalized,
               const OverlayFile& file, std::vector<char>* buffer, Outcome* outcome) {
  const HomeOptions& options = root.options();
  const int fd = dir.dir.get();
  if (dir.created) return WriteAt(fd, name, nullptr, file, options, buffer, outcome);
  struct stat st;
  if (::fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno != ENOENT) return SysError("ERR_WRITE_FAILED", "fstatat", errno, file.path, "cannot inspect the file");
    return WriteAt(fd, name, nullptr, file, options, buffer, outcome);
  }
  if (S_ISLNK(st.st_mode)) {
    HomeRoot::Parent target;
    if (root.FollowFinalLink(normalized, &target).ok()) {
      struct stat at;
      if (::fstatat(target.dir.get(), target.name.c_str(), &at, AT_SYMLINK_NOFOLLOW) == 0) {
        return WriteAt(target.dir.get(), target.name, &at, file, options, buffer, outcome);
      }
      if (errno == ENOENT) return WriteAt(target.dir.get(), target.name, nullptr, file, options, buffer, outcome);
      return SysError("ERR_WRITE_FAILED", "fstatat", errno, file.path, "cannot inspect the link's target");
    }
  }
  return WriteAt(fd, name, &st, file, options, buffer, outcome);
}

// What one writer thread did: counts and failures (with their input index), merged at the end.
struct Tally {
  size_t written = 0;
  size_t unchanged = 0;
  std::vector<std::pair<size_t, Error>> failed;
};

// The files of one directory: a run of `order` sharing a parent.
struct Group {
  size_t begin;
  size_t end;
};

// One batch as the writer threads share it: read-only but for the two atomics.
struct Batch {
  const HomeRoot& root;
  const std::vector<OverlayFile>& files;
  const std::vector<Entry>& entries;
  const std::vector<size_t>& order;  // entries, directory by directory
  const std::vector<Group>& groups;  // runs of `order` sharing a directory
  const CancelFlag& cancel;
  std::atomic<size_t> next{0};        // the next group to hand out
  std::atomic<bool> aborted{false};
};

// Writes the groups handed out by `batch->next` until none are left or the batch is cancelled.
void WriteGroups(Batch* batch, Tally* tally) {
  std::vector<char> buffer(kCompareChunk);
  for (size_t g; (g = batch->next.fetch_add(1, std::memory_order_relaxed)) < batch->groups.size();) {
    const Group& group = batch->groups[g];
    // One resolution and one descriptor for the whole directory.
    HomeRoot::Parent dir;
    const Error dir_error = batch->root.ResolveParent(batch->entries[batch->order[group.begin]].normalized, true, &dir);
    for (size_t k = group.begin; k < group.end; ++k) {
      if (batch->cancel.cancelled()) {
        batch->aborted.store(true, std::memory_order_relaxed);
        return;
      }
      const Entry& entry = batch->entries[batch->order[k]];
      const OverlayFile& file = batch->files[entry.index];
      Error e = dir_error;
      Outcome outcome = Outcome::kWritten;
      if (e.ok()) {
        const std::string name = entry.normalized.substr(entry.parent.empty() ? 0 : entry.parent.size() + 1);
        e = WriteOne(batch->root, dir, name, entry.normalized, file, &buffer, &outcome);
      }
      if (e) {
        e.path = file.path;  // the path as the caller gave it, not our clean form
        tally->failed.emplace_back(entry.index, std::move(e));
        continue;
      }
      ++(outcome == Outcome::kWritten ? tally->written : tally->unchanged);
    }
  }
}

// Directory by directory (stable, so files of one directory keep their order): `order` indexes
// `entries`, each group a run of it sharing a parent.
void GroupByDirectory(const std::vector<Entry>& entries, std::vector<size_t>* order, std::vector<Group>* groups) {
  order->resize(entries.size());
  std::iota(order->begin(), order->end(), 0);
  std::stable_sort(order->begin(), order->end(), [&](size_t a, size_t b) { return entries[a].parent < entries[b].parent; });
  for (size_t k = 0; k < order->size(); ++k) {
    if (k == 0 || entries[(*order)[k]].parent != entries[(*order)[k - 1]].parent) groups->push_back({k, k});
    groups->back().end = k + 1;
  }
}

// Directories are independent (a directory two groups both create is an EEXIST the walker
// absorbs), so large batches spread them over a few threads; this thread is one of them.
std::vector<Tally> WriteInParallel(Batch* batch) {
  size_t threads = std::min<size_t>({kMaxWriterThreads, batch->groups.size(), batch->entries.size() / kMinFilesPerThread});
  threads = std::min<size_t>(threads, std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max<size_t>(threads, 1);
  std::vector<Tally> tallies(threads);
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(WriteGroups, batch, &tallies[t]);
    } catch (...) {
      break;  // no thread to be had: the ones we have (at least this one) do the work
    }
  }
  WriteGroups(batch, &tallies[0]);
  for (std::thread& helper : helpers) helper.join();
  return tallies;
}

// The threads' counts and failures as one result (failures in input order), and the call's error.
Error Merge(std::vector<Tally>& tallies, bool aborted, size_t total, OverlayResult* result) {
  std::vector<std::pair<size_t, Error>> failed;
  for (Tally& tally : tallies) {
    result->written += tally.written;
    result->unchanged += tally.unchanged;
    for (auto& item : tally.failed) failed.push_back(std::move(item));
  }
  std::sort(failed.begin(), failed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, error] : failed) result->failures.push_back(std::move(error));
  if (aborted) {
    std::string message = "writing the overlay was aborted after " +
                          std::to_string(result->written + result->unchanged + result->failures.size()) + " of " +
                          std::to_string(total) + " files";
    if (!result->failures.empty()) message = Summary(message + "; failed", result->failures);
    return MakeError("ERR_ABORTED", message);
  }
  if (!result->failures.empty()) {
    return MakeError("ERR_OVERLAY_FAILED",
                     Summary(std::to_string(result->failures.size()) + " of " + std::to_string(total) +
                                 " overlay files failed (the others were written)",
                             result->failures));
  }
  return {};
}

}  // namespace

Error WriteOverlay(const std::string& home_dir, const std::vector<OverlayFile>& files, const HomeOptions& options,
                   const CancelFlag& cancel, OverlayResult* result) {
  *result = OverlayResult{};
  std::vector<Entry> entries;
  if (Error e = CheckBatch(files, options, &entries, &result->failures)) return e;
  HomeRoot root;
  if (Error e = HomeRoot::Open(home_dir, options, &root)) return e;
  std::vector<size_t> order;
  std::vector<Group> groups;
  GroupByDirectory(entries, &order, &groups);
  Batch batch{root, files, entries, order, groups, cancel};
  std::vector<Tally> tallies = WriteInParallel(&batch);
  return Merge(tallies, batch.aborted.load(), files.size(), result);
}

}  // namespace home
