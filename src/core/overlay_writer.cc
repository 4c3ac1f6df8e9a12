// The overlay writer. Costs per file, which the benchmark holds us to: an unchanged file is one
// fstatat, one open, one fstat, one read and one close; a new or changed file is one fstatat,
// the temporary file's open, write, fchmod (fchown), close and one renameat. A directory costs one
// resolution for the whole batch, because files are taken directory by directory.
#include "core/overlay_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/atomic_file.h"
#include "core/unique_fd.h"

namespace home {
namespace {

constexpr mode_t kFileMode = 0644;
constexpr mode_t kExecutableMode = 0755;
// Compare buffer for the unchanged check; read in chunks so a large file costs no large buffer.
constexpr size_t kCompareChunk = 64 * 1024;

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
  for (Entry& entry : *entries) {
    entry.parent = ParentOf(entry.normalized);
    for (std::string_view dir = entry.parent; !dir.empty(); dir = ParentOf(dir)) {
      if (!directories.insert(dir).second) break;  // its ancestors are in already
    }
  }
  // Duplicates: every entry whose clean path another entry also has.
  std::unordered_map<std::string_view, size_t> count;
  for (const Entry& entry : *entries) ++count[entry.normalized];
  for (const Entry& entry : *entries) {
    const std::string& given = files[entry.index].path;
    if (count[entry.normalized] > 1) {
      bad.emplace_back(entry.index, MakeError("ERR_INVALID_PATH",
                                              "invalid overlay path: names the same file as another entry (" +
                                                  Quoted(entry.normalized) + ")",
                                              given));
    } else if (directories.count(entry.normalized)) {
      bad.emplace_back(entry.index, MakeError("ERR_INVALID_PATH",
                                              "invalid overlay path: is also the parent directory of another entry",
                                              given));
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
  // O_NONBLOCK: should the name turn into a fifo between fstatat and open, open must not hang.
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
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

Error WriteOne(int dir, const std::string& name, const OverlayFile& file, const HomeOptions& options,
               std::vector<char>* buffer, Outcome* outcome) {
  const mode_t mode = file.executable ? kExecutableMode : kFileMode;
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISDIR(st.st_mode)) return MakeError("ERR_IS_DIRECTORY", "a directory is in the way (left as it is)", file.path);
    if (IsUnchanged(dir, name, st, file, mode, options, buffer)) {
      *outcome = Outcome::kUnchanged;
      return {};
    }
  } else if (errno != ENOENT) {
    return SysError("ERR_WRITE_FAILED", "fstatat", errno, file.path, "cannot inspect the file");
  }
  FileAttributes attributes{mode, options.uid, options.gid};
  if (Error e = WriteFileAtomically(dir, name, file.bytes, attributes, ExistingName::kReplace, false, file.path)) {
    return e;
  }
  *outcome = Outcome::kWritten;
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

  // Directory by directory (stable, so files of one directory keep their order): one resolution
  // and one open descriptor per directory, and only one held at a time.
  std::vector<size_t> order(entries.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return entries[a].parent < entries[b].parent; });

  std::vector<std::pair<size_t, Error>> failed;
  std::vector<char> buffer(kCompareChunk);
  HomeRoot::Parent dir;
  Error dir_error;
  std::string_view dir_path;
  bool have_dir = false;
  bool aborted = false;
  for (size_t k : order) {
    if (cancel.cancelled()) {
      aborted = true;
      break;
    }
    const Entry& entry = entries[k];
    const OverlayFile& file = files[entry.index];
    if (!have_dir || entry.parent != dir_path) {
      dir = HomeRoot::Parent{};
      dir_error = root.ResolveParent(entry.normalized, true, &dir);
      dir_path = entry.parent;
      have_dir = true;
    }
    Error e = dir_error;
    std::string name = entry.normalized.substr(entry.parent.empty() ? 0 : entry.parent.size() + 1);
    Outcome outcome = Outcome::kWritten;
    if (e.ok()) e = WriteOne(dir.dir.get(), name, file, options, &buffer, &outcome);
    if (e) {
      e.path = file.path;  // the path as the caller gave it, not our clean form
      failed.emplace_back(entry.index, std::move(e));
      continue;
    }
    ++(outcome == Outcome::kWritten ? result->written : result->unchanged);
  }

  std::sort(failed.begin(), failed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [index, error] : failed) result->failures.push_back(std::move(error));
  if (aborted) {
    std::string message = "writing the overlay was aborted after " +
                          std::to_string(result->written + result->unchanged + failed.size()) + " of " +
                          std::to_string(files.size()) + " files";
    if (!result->failures.empty()) message = Summary(message + "; failed", result->failures);
    return MakeError("ERR_ABORTED", message);
  }
  if (!result->failures.empty()) {
    return MakeError("ERR_OVERLAY_FAILED",
                     Summary(std::to_string(result->failures.size()) + " of " + std::to_string(files.size()) +
                                 " overlay files failed (the others were written)",
                             result->failures));
  }
  return {};
}

}  // namespace home
