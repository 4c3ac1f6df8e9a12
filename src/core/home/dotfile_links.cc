#include "core/home/dotfile_links.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "core/base/unique_fd.h"
#include "core/fs/home_reader.h"

namespace home {
namespace {

// The repository's own git metadata: never linked into the home (see IsLinkableDotfile).
constexpr std::string_view kRepositoryOwn[] = {".git", ".gitmodules", ".github", ".gitignore", ".gitattributes"};

// Entries read from one directory (the checkout, the home). The clone budget keeps a checkout's
// top level far below this; a home holds dozens of dotfiles, but its owner can make millions of
// names, and a stale link past the cap is only a dangling link left for the next run.
constexpr size_t kMaxEntries = 100'000;

// Bounds the retries when the user keeps swapping a name between our symlinkat and our look.
constexpr int kMaxRaceRetries = 8;

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

// The names in the directory `dir` (an O_RDONLY directory descriptor, left open), "." and ".."
// left out, at most kMaxEntries, sorted.
Error ListNames(int dir, const std::string& path, std::vector<std::string>* names) {
  names->clear();
  // fdopendir takes the descriptor it is given: a duplicate, so `dir` stays ours.
  const int copy = ::fcntl(dir, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return SysError("ERR_READ_FAILED", "fcntl", errno, path, "cannot list");
  std::unique_ptr<DIR, DirCloser> stream(::fdopendir(copy));
  if (!stream) {
    const int err = errno;
    ::close(copy);
    return SysError("ERR_READ_FAILED", "fdopendir", err, path, "cannot list");
  }
  while (names->size() < kMaxEntries) {
    errno = 0;
    const dirent* entry = ::readdir(stream.get());
    if (entry == nullptr) {
      if (errno != 0) return SysError("ERR_READ_FAILED", "readdir", errno, path, "cannot list");
      break;
    }
    const std::string_view name = entry->d_name;
    if (name != "." && name != "..") names->emplace_back(name);
  }
  std::sort(names->begin(), names->end());
  return {};
}

// The checkout `normalized` below the home, opened O_RDONLY|O_DIRECTORY without following any
// link, its own name included. Anything else at that path is ERR_NOT_DIRECTORY.
Error OpenCheckout(const HomeRoot& root, const std::string& normalized, UniqueFd* out) {
  const auto refuse = [&](int err, const std::string& why) {
    return SysError("ERR_NOT_DIRECTORY", "openat", err, normalized, "the dotfiles checkout " + why);
  };
  HomeRoot::Parent parent;
  HomeRoot::Stop stop;
  if (Error e = root.ResolveParentNoFollow(normalized, &parent, &stop)) return e;
  switch (stop.why) {
    case HomeRoot::Stop::kNone:
      break;
    case HomeRoot::Stop::kMissing:
      return refuse(ENOENT, "is missing (" + stop.at + ")");
    case HomeRoot::Stop::kSymlink:
      return refuse(ELOOP, "is below a symlink, which is not followed (" + stop.at + ")");
    case HomeRoot::Stop::kNotDirectory:
      return refuse(ENOTDIR, "is below something that is not a directory (" + stop.at + ")");
  }
  out->reset(::openat(parent.dir.get(), parent.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (*out) return {};
  const int err = errno;
  if (err != ENOENT && err != ELOOP && err != ENOTDIR) {
    return SysError("ERR_READ_FAILED", "openat", err, normalized, "cannot open the dotfiles checkout");
  }
  // Which of the three the user planted, for the message (the open refused it either way).
  EntryInfo entry;
  if (Error e = InspectAt(parent.dir.get(), parent.name, normalized, &entry)) return e;
  if (entry.kind == EntryKind::kSymlink) return refuse(ELOOP, "is a symlink, which is not followed");
  if (entry.kind == EntryKind::kMissing) return refuse(ENOENT, "is missing");
  return refuse(ENOTDIR, "is not a directory");
}

// The kinds of checkout entry that are linked: what git checks out (files, directories, links).
bool IsLinkableKind(mode_t mode) { return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode); }

// Gives the link just made at `name` the home's owner. The user may swap the name between our
// symlinkat and this call, for a hardlink to a file that is not theirs, say: so the name is pinned
// first (O_PATH|O_NOFOLLOW opens the link itself), the descriptor is checked to be a symlink, and
// the owner is set on that descriptor (AT_EMPTY_PATH), never by name. A name that is no longer a
// symlink is left as the user made it.
Error GiveLinkItsOwner(int home, const std::string& name, const HomeOptions& options) {
  if (!options.uid && !options.gid) return {};
  UniqueFd link(::openat(home, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!link) {
    if (errno == ENOENT) return {};
    return SysError("ERR_WRITE_FAILED", "openat", errno, name, "cannot give the link its owner");
  }
  struct stat st;
  if (::fstat(link.get(), &st) != 0) return SysError("ERR_WRITE_FAILED", "fstat", errno, name, "cannot give the link its owner");
  if (!S_ISLNK(st.st_mode)) return {};
  const uid_t uid = options.uid ? *options.uid : static_cast<uid_t>(-1);
  const gid_t gid = options.gid ? *options.gid : static_cast<gid_t>(-1);
  if (::fchownat(link.get(), "", uid, gid, AT_EMPTY_PATH) != 0) {
    return SysError("ERR_WRITE_FAILED", "fchownat", errno, name, "cannot give the link its owner");
  }
  return {};
}

// Makes `name` in the home a link to `target`, unless something holds the name already.
Error LinkOne(int home, const std::string& name, const std::string& target, const HomeOptions& options,
              DotfileLinks* out) {
  for (int attempt = 0;; ++attempt) {
    if (::symlinkat(target.c_str(), home, name.c_str()) == 0) {
      if (Error e = GiveLinkItsOwner(home, name, options)) return e;
      out->linked.push_back(name);
      return {};
    }
    if (errno != EEXIST) return SysError("ERR_WRITE_FAILED", "symlinkat", errno, name, "cannot link the dotfile");
    EntryInfo entry;
    if (Error e = InspectAt(home, name, name, &entry)) return e;
    if (entry.kind == EntryKind::kMissing && attempt < kMaxRaceRetries) continue;  // removed in between
    if (entry.kind == EntryKind::kSymlink && entry.target == target) {
      out->unchanged.push_back(name);
    } else {
      out->in_the_way.push_back(name);
    }
    return {};
  }
}

// Removes the home's links that we made (text exactly `<checkout>/<name>`) whose entry is no
// longer in the checkout.
Error RemoveStaleLinks(int home, int checkout, const std::string& normalized, DotfileLinks* out) {
  UniqueFd listing(::openat(home, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!listing) return SysError("ERR_READ_FAILED", "openat", errno, ".", "cannot open the home to list it");
  std::vector<std::string> names;
  if (Error e = ListNames(listing.get(), ".", &names)) return e;
  for (const std::string& name : names) {
    if (name.empty() || name[0] != '.') continue;
    EntryInfo entry;
    if (Error e = InspectAt(home, name, name, &entry)) return e;
    if (entry.kind != EntryKind::kSymlink || entry.target != normalized + "/" + name) continue;
    struct stat st;
    if (::fstatat(checkout, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
    if (errno != ENOENT) return SysError("ERR_READ_FAILED", "fstatat", errno, normalized + "/" + name, "cannot inspect");
    if (::unlinkat(home, name.c_str(), 0) != 0) {
      if (errno == ENOENT) continue;
      return SysError("ERR_REMOVE_FAILED", "unlinkat", errno, name, "cannot remove a stale dotfile link");
    }
    out->removed.push_back(name);
  }
  return {};
}

}  // namespace

bool IsLinkableDotfile(std::string_view name) {
  if (name.size() < 2 || name[0] != '.' || name == "..") return false;
  if (name == kReservedDir) return false;
  return std::find(std::begin(kRepositoryOwn), std::end(kRepositoryOwn), name) == std::end(kRepositoryOwn);
}

Error LinkDotfiles(const std::string& home_dir, std::string_view checkout, const HomeOptions& options,
                   DotfileLinks* out) {
  *out = DotfileLinks{};
  std::string normalized;
  if (Error e = CheckHomePath(checkout, options.container_home, &normalized)) return e;
  HomeRoot root;
  if (Error e = HomeRoot::Open(home_dir, options, &root)) return e;
  UniqueFd dir;
  if (Error e = OpenCheckout(root, normalized, &dir)) return e;
  std::vector<std::string> names;
  if (Error e = ListNames(dir.get(), normalized, &names)) return e;
  // A checkout's own name at its top level (`.dotfiles/.dotfiles`) would link over the checkout.
  const std::string own = normalized.substr(0, normalized.find('/'));
  for (const std::string& name : names) {
    if (!IsLinkableDotfile(name) || name == own) continue;
    struct stat st;
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // removed since the listing
      return SysError("ERR_READ_FAILED", "fstatat", errno, normalized + "/" + name, "cannot inspect");
    }
    if (!IsLinkableKind(st.st_mode)) continue;
    if (Error e = LinkOne(root.fd(), name, normalized + "/" + name, options, out)) return e;
  }
  return RemoveStaleLinks(root.fd(), dir.get(), normalized, out);
}

}  // namespace home
