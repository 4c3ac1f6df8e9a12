// The home root: one pinned descriptor and the one path walker every operation goes through.
//
// Fast path: openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS), where the kernel itself refuses to
// leave the home. It cannot map container-absolute links (it refuses every absolute link), so any
// failure there falls back to the manual walk, which is the reference: it holds one descriptor per
// step, opens each component with O_NOFOLLOW, and interprets symlinks itself. ".." inside a link
// target pops the walker's own stack of held descriptors; the kernel's ".." is never used.
#include "core/fs/home_root.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>

#include "core/fs/openat2.h"
#include "core/fs/path_components.h"

namespace home {
namespace {

// Linux MAXSYMLINKS (include/linux/namei.h): the kernel gives up after 40 links; so do we.
constexpr int kMaxSymlinks = 40;
// Against malicious paths: the path and each of the at most 40 link targets are at most PATH_MAX
// bytes, hence at most PATH_MAX / 2 components ("x/x/..."); no honest walk takes more steps.
constexpr int kMaxWalkSteps = (kMaxSymlinks + 1) * (PATH_MAX / 2);

enum Openat2State : int { kOpenat2Unknown, kOpenat2Available, kOpenat2Missing };
std::atomic<int> g_openat2{kOpenat2Unknown};

bool Openat2Missing(int err) {
  // ENOSYS: kernel before 5.6. EPERM: a seccomp profile that denies what it does not know.
  return err == ENOSYS || err == EPERM;
}

Error Escape(std::string_view path, const std::string& why) {
  return MakeError("ERR_SYMLINK_ESCAPE", "refusing to leave the home: " + why, std::string(path));
}

Error DupRoot(int root, std::string_view path, UniqueFd* out) {
  int fd = ::fcntl(root, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    return SysError("ERR_WRITE_FAILED", "fcntl", errno, std::string(path), "cannot copy the home descriptor (F_DUPFD)");
  }
  out->reset(fd);
  return {};
}

// Creates `name` below `dir` as a 0755 directory owned by uid/gid. Leaves `*made` empty when
// something else appeared at the name first (the caller looks at it again).
Error MakeDirectory(int dir, const std::string& name, const HomeOptions& options, std::string_view path,
                    UniqueFd* made) {
  if (::mkdirat(dir, name.c_str(), HomeRoot::kDirMode) != 0) {
    if (errno == EEXIST) return {};
    return SysError("ERR_WRITE_FAILED", "mkdirat", errno, std::string(path), "cannot create directory '" + name + "'");
  }
  // O_RDONLY, not O_PATH: fchmod and fchown need a real open file.
  UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return {};  // swapped under us
    return SysError("ERR_WRITE_FAILED", "openat", errno, std::string(path), "cannot open new directory '" + name + "'");
  }
  // The umask trimmed mkdirat's mode; the contract is exactly 0755.
  if (::fchmod(fd.get(), HomeRoot::kDirMode) != 0) {
    return SysError("ERR_WRITE_FAILED", "fchmod", errno, std::string(path), "cannot set the mode of '" + name + "'");
  }
  if ((options.uid || options.gid) && ::fchown(fd.get(), options.uid ? *options.uid : static_cast<uid_t>(-1),
                                               options.gid ? *options.gid : static_cast<gid_t>(-1)) != 0) {
    return SysError("ERR_WRITE_FAILED", "fchown", errno, std::string(path), "cannot set the owner of '" + name + "'");
  }
  *made = std::move(fd);
  return {};
}

}  // namespace

Error ReadSymlinkAt(int dir, const std::string& name, const std::string& path, const char* failure_code,
                    std::string* target) {
  char buffer[PATH_MAX];
  const ssize_t length = ::readlinkat(dir, name.c_str(), buffer, sizeof buffer);
  if (length < 0) {
    if (errno == EINVAL || errno == ENOENT) {  // no longer a symlink
      target->clear();
      return {};
    }
    return SysError(failure_code, "readlinkat", errno, path, "cannot read symlink '" + name + "'");
  }
  // Linux refuses to create a symlink of PATH_MAX bytes or more; a full buffer is a short read.
  if (static_cast<size_t>(length) >= sizeof buffer) {
    return SysError(failure_code, "readlinkat", ENAMETOOLONG, path, "symlink '" + name + "' is too long");
  }
  target->assign(buffer, static_cast<size_t>(length));
  return {};
}

bool HasOpenat2() {
  int state = g_openat2.load(std::memory_order_relaxed);
  if (state == kOpenat2Unknown) {
    // An invalid descriptor: a kernel with openat2 answers EBADF, one without ENOSYS.
    int fd = OpenDirBeneath(-1, "x");
    int err = errno;
    if (fd >= 0) ::close(fd);
    state = (fd < 0 && Openat2Missing(err)) ? kOpenat2Missing : kOpenat2Available;
    g_openat2.store(state, std::memory_order_relaxed);
  }
  return state == kOpenat2Available;
}

Error HomeRoot::Open(const std::string& home_dir, HomeOptions options, HomeRoot* out) {
  if (home_dir.empty() || home_dir.front() != '/' || home_dir.find('\0') != std::string::npos) {
    return MakeError("ERR_HOME_INVALID", "the home directory must be an absolute path", home_dir);
  }
  UniqueFd fd(::open(home_dir.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return SysError("ERR_HOME_INVALID", "open", errno, home_dir, "cannot open the home directory");
  out->root_ = std::move(fd);
  out->home_dir_ = home_dir;
  out->options_ = std::move(options);
  return {};
}

Error HomeRoot::ResolveParent(std::string_view normalized, bool create_missing, Parent* out) const {
  std::vector<std::string_view> parent = SplitComponents(normalized);
  if (parent.empty() || parent.back() == "." || parent.back() == "..") {
    return MakeError("ERR_INVALID_PATH", "not a file path below the home", std::string(normalized));
  }
  out->name.assign(parent.back());
  parent.pop_back();
  return ResolveComponents(normalized, parent, create_missing, &out->dir, nullptr, &out->created);
}

Error HomeRoot::ResolveDirectory(std::string_view normalized, bool create_missing, UniqueFd* out) const {
  return ResolveComponents(normalized, SplitComponents(normalized), create_missing, out);
}

Error HomeRoot::ResolveParentNoFollow(std::string_view normalized, Parent* out, Stop* stop) const {
  std::vector<std::string_view> parent = SplitComponents(normalized);
  if (parent.empty() || parent.back() == "." || parent.back() == "..") {
    return MakeError("ERR_INVALID_PATH", "not a file path below the home", std::string(normalized));
  }
  out->name.assign(parent.back());
  parent.pop_back();
  *stop = Stop{};
  return ResolveComponents(normalized, parent, false, &out->dir, stop);
}

Error HomeRoot::ResolveDirectoryNoFollow(std::string_view normalized, UniqueFd* out, Stop* stop) const {
  *stop = Stop{};
  return ResolveComponents(normalized, SplitComponents(normalized), false, out, stop);
}

Error HomeRoot::ResolveComponents(std::string_view normalized, const std::vector<std::string_view>& components,
                                  bool create_missing, UniqueFd* out, Stop* no_follow, bool* created) const {
  if (created != nullptr) *created = false;
  if (components.empty()) return DupRoot(root_.get(), normalized, out);
  if (!options_.force_manual_walk && g_openat2.load(std::memory_order_relaxed) != kOpenat2Missing) {
    std::string joined;
    for (std::string_view component : components) {
      if (!joined.empty()) joined += '/';
      joined += component;
    }
    int fd = OpenDirBeneath(root_.get(), joined.c_str(), no_follow != nullptr);
    if (fd >= 0) {
      out->reset(fd);
      return {};
    }
    if (Openat2Missing(errno)) g_openat2.store(kOpenat2Missing, std::memory_order_relaxed);
    // EXDEV (a link the kernel would not follow, perhaps one we map), ELOOP, ENOENT (create it),
    // ENOTDIR, EAGAIN (a rename race): the manual walk decides, with the precise error.
  }
  return ResolveManually(normalized, components, create_missing, out, no_follow, created);
}

namespace {

// The manual walk's state: one descriptor per step taken (none: at the root), and the components
// still to walk, the next one last.
struct Walk {
  int root;
  std::vector<UniqueFd> held;
  std::vector<std::string> pending;
  bool last_made = false;  // held.back() is a directory this walk made

  int current() const { return held.empty() ? root : held.back().get(); }
  // The entry changed under us (a race with the home's owner): look at what is there now.
  void Retry(std::string component) { pending.push_back(std::move(component)); }
};

// An absolute link target that names a place in the home: under containerHome (what `ln -s
// $HOME/x` makes in the container) or under the home's own host path (what a setup run on the
// host with HOME set to it makes). `*rest` is the part below it.
bool MapIntoHome(std::string_view absolute, const HomeRoot& root, std::string_view* rest) {
  return MapContainerPath(absolute, root.options().container_home, rest) || MapContainerPath(absolute, root.path(), rest);
}

// `component` of the current directory did not open as a directory: a symlink is expanded into
// the walk (its target's components pushed; a target under containerHome or the home's host path
// restarts at the home, any other absolute one is an escape), a race puts the component back, anything else ends the
// walk with its error.
Error ExpandNonDirectory(Walk* walk, std::string component, const HomeRoot& root, const std::string& path,
                         const char* failure_code, int* links) {
  struct stat st;
  if (::fstatat(walk->current(), component.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) {
      walk->Retry(std::move(component));
      return {};
    }
    return SysError(failure_code, "fstatat", errno, path, "cannot inspect '" + component + "'");
  }
  if (S_ISDIR(st.st_mode)) {  // swapped back under us: open it again
    walk->Retry(std::move(component));
    return {};
  }
  if (!S_ISLNK(st.st_mode)) {
    return MakeError("ERR_NOT_DIRECTORY", "'" + component + "' on the way is not a directory", path);
  }
  if (++*links > kMaxSymlinks) {
    return MakeError("ERR_SYMLINK_LOOP", "more than 40 symbolic links on the way (a loop?)", path);
  }
  std::string target;
  if (Error e = ReadSymlinkAt(walk->current(), component, path, failure_code, &target)) return e;
  if (target.empty()) {  // no longer a symlink
    walk->Retry(std::move(component));
    return {};
  }
  std::string_view relative = target;
  if (target.front() == '/') {
    if (!MapIntoHome(target, root, &relative)) {
      return Escape(path, "symlink '" + component + "' points to an absolute path outside containerHome");
    }
    walk->held.clear();  // an absolute link into the home restarts at the home
    walk->last_made = false;
  }
  std::vector<std::string_view> expansion = SplitComponents(relative);
  for (auto it = expansion.rbegin(); it != expansion.rend(); ++it) walk->pending.emplace_back(*it);
  return {};
}

}  // namespace

namespace {

// The no-follow walk met `component` that did not open as a directory: says why it stops there,
// or `*retry` when it changed under us (a race: look again).
Error ClassifyStop(int dir, const std::string& component, int open_errno, const std::string& path,
                   HomeRoot::Stop::Why* why, bool* retry) {
  *retry = false;
  if (open_errno == ENOENT) {
    *why = HomeRoot::Stop::kMissing;
    return {};
  }
  struct stat st;
  if (::fstatat(dir, component.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) {
      *why = HomeRoot::Stop::kMissing;
      return {};
    }
    return SysError("ERR_READ_FAILED", "fstatat", errno, path, "cannot inspect '" + component + "'");
  }
  if (S_ISDIR(st.st_mode)) {
    *retry = true;
    return {};
  }
  *why = S_ISLNK(st.st_mode) ? HomeRoot::Stop::kSymlink : HomeRoot::Stop::kNotDirectory;
  return {};
}

// A walk that follows no link met something it cannot go through: `*stopped` and `stop` say
// what and where, or the component goes back for another look (a race).
Error StopWithoutFollowing(Walk* walk, std::string component, int err, const std::string& path,
                           const std::vector<std::string_view>& parent, HomeRoot::Stop* stop, bool* stopped) {
  bool retry = false;
  HomeRoot::Stop::Why why = HomeRoot::Stop::kNone;
  if (Error e = ClassifyStop(walk->current(), component, err, path, &why, &retry)) return e;
  if (retry) {
    walk->Retry(std::move(component));
    return {};
  }
  // Nothing was expanded, so the components walked so far are the path's own first ones.
  stop->why = why;
  stop->at.clear();
  for (size_t i = 0; i <= walk->held.size() && i < parent.size(); ++i) {
    if (i > 0) stop->at += '/';
    stop->at += parent[i];
  }
  *stopped = true;
  return {};
}

// A missing directory on the way, made (0755, the configured owner) and entered.
Error CreateMissing(Walk* walk, std::string component, const HomeOptions& options, const std::string& path) {
  UniqueFd made;
  if (Error e = MakeDirectory(walk->current(), component, options, path, &made)) return e;
  if (made) {
    walk->held.push_back(std::move(made));
    walk->last_made = true;
  } else {
    walk->Retry(std::move(component));  // lost a race: look at what is there now
  }
  return {};
}

}  // namespace

Error HomeRoot::ResolveManually(std::string_view normalized, const std::vector<std::string_view>& parent,
                                bool create_missing, UniqueFd* out, Stop* no_follow, bool* created) const {
  const char* failure_code = create_missing ? "ERR_WRITE_FAILED" : "ERR_READ_FAILED";
  const std::string path(normalized);
  Walk walk{root_.get(), {}, {}};
  for (auto it = parent.rbegin(); it != parent.rend(); ++it) walk.pending.emplace_back(*it);

  int links = 0;
  int steps = 0;
  while (!walk.pending.empty()) {
    if (++steps > kMaxWalkSteps) {
      return MakeError("ERR_SYMLINK_LOOP", "too many path components to resolve (symlink expansion)", path);
    }
    std::string component = std::move(walk.pending.back());
    walk.pending.pop_back();
    if (component == ".") continue;
    if (component == "..") {
      if (walk.held.empty()) return Escape(path, "'..' in a symlink climbs above the home");
      walk.held.pop_back();
      walk.last_made = false;  // what it returns to may have been made too; saying no is safe
      continue;
    }

    int fd = ::openat(walk.current(), component.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      walk.held.emplace_back(fd);
      walk.last_made = false;
      continue;
    }
    const int err = errno;
    if (no_follow != nullptr && (err == ENOENT || err == ENOTDIR || err == ELOOP)) {
      bool stopped = false;
      if (Error e = StopWithoutFollowing(&walk, std::move(component), err, path, parent, no_follow, &stopped)) return e;
      if (stopped) return {};
      continue;
    }
    if (err == ENOENT) {
      if (!create_missing) {
        return SysError("ERR_NOT_DIRECTORY", "openat", ENOENT, path, "directory '" + component + "' is missing");
      }
      if (Error e = CreateMissing(&walk, std::move(component), options_, path)) return e;
      continue;
    }
    if (err != ENOTDIR && err != ELOOP) {
      return SysError(failure_code, "openat", err, path, "cannot open directory '" + component + "'");
    }
    if (Error e = ExpandNonDirectory(&walk, std::move(component), *this, path, failure_code, &links)) {
      return e;
    }
  }

  if (walk.held.empty()) return DupRoot(root_.get(), normalized, out);
  if (created != nullptr) *created = walk.last_made;
  *out = std::move(walk.held.back());
  return {};
}

Error HomeRoot::FollowFinalLink(std::string_view normalized, Parent* out) const {
  const std::string path(normalized);
  // The path being resolved, its components owned here: each link's target replaces the final
  // component (relative: below the same directory; absolute: from the home), and the walker
  // resolves the directory part with its own rules, ".." included, each round.
  std::vector<std::string> components;
  for (std::string_view component : SplitComponents(normalized)) components.emplace_back(component);
  struct stat reserved {};
  const bool has_reserved = ::fstatat(root_.get(), kReservedDir, &reserved, AT_SYMLINK_NOFOLLOW) == 0 &&
                            S_ISDIR(reserved.st_mode);
  for (int links = 0;; ++links) {
    if (components.empty() || components.back() == "." || components.back() == "..") {
      return MakeError("ERR_IS_DIRECTORY", "the symlink leads to a directory", path);
    }
    const std::vector<std::string_view> parent(components.begin(), components.end() - 1);
    UniqueFd dir;
    if (parent.empty()) {
      if (Error e = DupRoot(root_.get(), normalized, &dir)) return e;
    } else if (Error e = ResolveManually(normalized, parent, false, &dir, nullptr, nullptr)) {
      return e;
    }
    struct stat st;
    if (has_reserved && ::fstat(dir.get(), &st) == 0 && st.st_dev == reserved.st_dev && st.st_ino == reserved.st_ino) {
      return MakeError("ERR_RESERVED_PATH", "the symlink leads into the package's own .spoon/", path);
    }
    const std::string name = components.back();
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return SysError("ERR_READ_FAILED", "fstatat", errno, path, "cannot inspect '" + name + "'");
      // Dangles inside: the file is made there, as writing through the link would make it.
    } else if (S_ISDIR(st.st_mode)) {
      return MakeError("ERR_IS_DIRECTORY", "the symlink leads to a directory", path);
    } else if (S_ISLNK(st.st_mode)) {
      if (links >= kMaxSymlinks) return MakeError("ERR_SYMLINK_LOOP", "more than 40 symbolic links (a loop?)", path);
      std::string target;
      if (Error e = ReadSymlinkAt(dir.get(), name, path, "ERR_READ_FAILED", &target)) return e;
      if (!target.empty()) {  // (empty: replaced by a file under us; look again)
        components.pop_back();
        std::string_view relative = target;
        if (target.front() == '/') {
          if (!MapIntoHome(target, *this, &relative)) return Escape(path, "the symlink points outside the home");
          components.clear();
        }
        for (std::string_view component : SplitComponents(relative)) components.emplace_back(component);
      }
      continue;
    }
    out->dir = std::move(dir);
    out->name = name;
    return {};
  }
}

}  // namespace home
