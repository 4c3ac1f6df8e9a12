#include "core/fs/home_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "core/base/unique_fd.h"

namespace home {
namespace {

// CheckHomePath, with .spoon/ allowed: a diagnosis reads the package's own files too.
Error CheckReadPath(std::string_view rel_path, const HomeOptions& options, std::string* normalized) {
  Error e = CheckHomePath(rel_path, options.container_home, normalized);
  if (e.code == "ERR_RESERVED_PATH") return {};
  return e;
}

EntryKind KindOfMode(mode_t mode) {
  if (S_ISLNK(mode)) return EntryKind::kSymlink;
  if (S_ISDIR(mode)) return EntryKind::kDirectory;
  if (S_ISREG(mode)) return EntryKind::kFile;
  return EntryKind::kOther;
}

// Bounds the retries when the user keeps swapping a name between a link and something else.
constexpr int kMaxRaceRetries = 8;

void Blocked(const HomeRoot::Stop& stop, EntryInfo* out) {
  *out = EntryInfo{};
  if (stop.why == HomeRoot::Stop::kMissing) return;
  out->kind = EntryKind::kBlocked;
  out->blocked_at = stop.at;
  out->blocked_by_symlink = stop.why == HomeRoot::Stop::kSymlink;
}

// The parent of `rel_path`, walked without following anything: `*stopped` when the walk could not
// reach it (`*entry` then says why).
Error OpenParentNoFollow(const std::string& home_dir, std::string_view rel_path, const HomeOptions& options,
                         HomeRoot::Parent* parent, EntryInfo* entry, bool* stopped) {
  *stopped = false;
  std::string normalized;
  if (Error e = CheckReadPath(rel_path, options, &normalized)) return e;
  HomeRoot root;
  if (Error e = HomeRoot::Open(home_dir, options, &root)) return e;
  HomeRoot::Stop stop;
  if (Error e = root.ResolveParentNoFollow(normalized, parent, &stop)) {
    e.path = std::string(rel_path);
    return e;
  }
  if (stop.why != HomeRoot::Stop::kNone) {
    Blocked(stop, entry);
    *stopped = true;
  }
  return {};
}

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

}  // namespace

Error InspectAt(int dir, const std::string& name, const std::string& path, EntryInfo* out) {
  for (int attempt = 0;; ++attempt) {
    *out = EntryInfo{};
    struct stat st;
    if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return {};
      return SysError("ERR_READ_FAILED", "fstatat", errno, path, "cannot inspect");
    }
    out->kind = KindOfMode(st.st_mode);
    if (out->kind == EntryKind::kFile) out->size = static_cast<uint64_t>(st.st_size);
    if (out->kind != EntryKind::kSymlink) return {};
    if (Error e = ReadSymlinkAt(dir, name, path, "ERR_READ_FAILED", &out->target)) return e;
    if (!out->target.empty()) return {};
    if (attempt >= kMaxRaceRetries) return SysError("ERR_READ_FAILED", "readlinkat", EAGAIN, path, "keeps changing");
  }
}

const char* EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kMissing:
      return "missing";
    case EntryKind::kSymlink:
      return "symlink";
    case EntryKind::kDirectory:
      return "directory";
    case EntryKind::kFile:
      return "file";
    case EntryKind::kOther:
      return "other";
    case EntryKind::kBlocked:
      return "blocked";
  }
  return "other";
}

Error ReadRegularFileAt(int dir, const std::string& name, size_t max_bytes, const std::string& path, EntryInfo* entry,
                        std::optional<std::string>* content) {
  content->reset();
  UniqueFd fd;
  for (int attempt = 0; !fd; ++attempt) {
    // Look before opening: opening a fifo or a device could block or have side effects.
    if (Error e = InspectAt(dir, name, path, entry)) return e;
    if (entry->kind != EntryKind::kFile || entry->size > max_bytes) return {};
    fd.reset(::openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (fd) break;
    // Swapped since we looked (a link, a fifo without a writer, nothing): look again.
    if (errno != ENOENT && errno != ELOOP && errno != ENXIO) {
      return SysError("ERR_READ_FAILED", "openat", errno, path, "cannot open");
    }
    if (attempt >= kMaxRaceRetries) return SysError("ERR_READ_FAILED", "openat", EAGAIN, path, "keeps changing");
  }
  struct stat again;
  if (::fstat(fd.get(), &again) != 0) return SysError("ERR_READ_FAILED", "fstat", errno, path, "cannot inspect");
  if (!S_ISREG(again.st_mode)) {
    *entry = EntryInfo{};
    entry->kind = KindOfMode(again.st_mode);
    return {};
  }
  // Read up to one byte past the cap: a file that grew since fstat is still refused.
  std::string bytes(max_bytes + 1, '\0');
  size_t filled = 0;
  while (filled < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + filled, bytes.size() - filled);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SysError("ERR_READ_FAILED", "read", errno, path, "cannot read");
    if (n == 0) break;
    filled += static_cast<size_t>(n);
  }
  entry->size = filled;
  if (filled > max_bytes) return {};
  bytes.resize(filled);
  *content = std::move(bytes);
  return {};
}

Error InspectHomePath(const std::string& home_dir, std::string_view rel_path, const HomeOptions& options,
                      EntryInfo* out) {
  *out = EntryInfo{};
  HomeRoot::Parent parent;
  bool stopped = false;
  if (Error e = OpenParentNoFollow(home_dir, rel_path, options, &parent, out, &stopped)) return e;
  if (stopped) return {};
  return InspectAt(parent.dir.get(), parent.name, std::string(rel_path), out);
}

Error ReadHomeFile(const std::string& home_dir, std::string_view rel_path, size_t max_bytes, const HomeOptions& options,
                   HomeFileRead* out) {
  *out = HomeFileRead{};
  HomeRoot::Parent parent;
  bool stopped = false;
  if (Error e = OpenParentNoFollow(home_dir, rel_path, options, &parent, &out->entry, &stopped)) return e;
  if (stopped) return {};
  return ReadRegularFileAt(parent.dir.get(), parent.name, max_bytes, std::string(rel_path), &out->entry, &out->content);
}

Error ListHomeDirectory(const std::string& home_dir, std::string_view rel_path, size_t max_entries,
                        const HomeOptions& options, DirListing* out) {
  *out = DirListing{};
  const std::string path(rel_path);
  HomeRoot root;
  HomeRoot::Parent parent;  // for an empty path: the home itself, as "." below its descriptor
  if (rel_path.empty()) {
    if (Error e = HomeRoot::Open(home_dir, options, &root)) return e;
    parent.dir.reset(::fcntl(root.fd(), F_DUPFD_CLOEXEC, 0));
    if (!parent.dir) return SysError("ERR_READ_FAILED", "fcntl", errno, home_dir, "cannot copy the home descriptor");
    parent.name = ".";
  } else {
    bool stopped = false;
    if (Error e = OpenParentNoFollow(home_dir, rel_path, options, &parent, &out->entry, &stopped)) return e;
    if (stopped) return {};
  }
  const UniqueFd& parent_dir = parent.dir;
  const std::string& name = parent.name;
  // O_NOFOLLOW|O_DIRECTORY: a link or a file swapped in since anyone looked is not opened; it is
  // reported as what it is now. O_RDONLY, not O_PATH: getdents needs a real open directory.
  UniqueFd fd(::openat(parent_dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
      if (Error e = InspectAt(parent_dir.get(), name, path, &out->entry)) return e;
      // A directory again by now: a race we do not chase; the caller sees it as not listed.
      if (out->entry.kind == EntryKind::kDirectory) out->entry.kind = EntryKind::kOther;
      return {};
    }
    return SysError("ERR_READ_FAILED", "openat", errno, path, "cannot open directory");
  }
  out->entry.kind = EntryKind::kDirectory;
  const int dir_fd = fd.get();
  // fdopendir takes the descriptor over: closedir closes it, so the UniqueFd lets go first.
  std::unique_ptr<DIR, DirCloser> stream(::fdopendir(dir_fd));
  if (!stream) return SysError("ERR_READ_FAILED", "fdopendir", errno, path, "cannot list directory");
  (void)fd.release();
  for (;;) {
    errno = 0;
    const dirent* item = ::readdir(stream.get());
    if (item == nullptr) {
      if (errno != 0) return SysError("ERR_READ_FAILED", "readdir", errno, path, "cannot list directory");
      break;
    }
    const std::string entry_name(item->d_name);
    if (entry_name == "." || entry_name == "..") continue;
    if (out->entries.size() >= max_entries) {
      out->capped = true;
      break;
    }
    DirEntry entry;
    entry.name = entry_name;
    const std::string entry_path = path.empty() ? entry_name : path + "/" + entry_name;
    switch (item->d_type) {
      case DT_DIR:
        entry.kind = EntryKind::kDirectory;
        break;
      case DT_REG:
        entry.kind = EntryKind::kFile;
        break;
      case DT_LNK:
      case DT_UNKNOWN: {  // some filesystems do not say: look (and read a link's target) by fstatat
        EntryInfo info;
        if (Error e = InspectAt(dir_fd, entry_name, entry_path, &info)) return e;
        if (info.kind == EntryKind::kMissing) continue;  // removed since readdir saw it
        entry.kind = info.kind;
        entry.target = std::move(info.target);
        break;
      }
      default:
        entry.kind = EntryKind::kOther;
        break;
    }
    out->entries.push_back(std::move(entry));
  }
  return {};
}

}  // namespace home
