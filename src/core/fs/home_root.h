// HomeRoot: the user's home as a pinned directory descriptor, and the one path walker through it.
// The home belongs to the user, who is treated as an attacker: every path below it is resolved
// from the pinned descriptor one component at a time (see DESIGN.md, "The home is hostile").
//
// Contract shared by the overlay writer, the marker and profile files, and the clone swap:
//   - paths given to ResolveParent are relative POSIX paths that already passed CheckHomePath;
//   - the returned Parent is an open directory descriptor inside the home plus the final name,
//     which the caller acts on with *at() calls and never follows when it is a symlink.
//
// What is guaranteed, and what is not (the same promise as Go's os.Root): the user may rename,
// swap or replace anything in the home while we walk it, so we may act on a different file than
// the one that was there when the call began; but every descriptor we hold was reached one
// component at a time without the kernel following a link we did not vet (or by openat2 with
// RESOLVE_BENEATH, where the kernel enforces the same), so whatever file we act on is inside the
// home. The home's own path (up to and including `home_dir`) belongs to the operator and is
// trusted; it is opened once, without following its last component.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/base/unique_fd.h"

namespace home {

struct HomeOptions {
  // Absolute path of the home inside the container ("/home/alice"). Absolute symlink targets and
  // absolute overlay paths under it are mapped into the home; empty disables the mapping.
  std::string container_home;
  std::optional<uid_t> uid;  // owner for what we create, when set
  std::optional<gid_t> gid;
  bool force_manual_walk = false;  // tests: skip the openat2 fast path
};

// The package's own directory in every home (the marker lives there); no overlay path or link
// leads into it.
constexpr const char* kReservedDir = ".spoon";

// Lexical checks, before anything touches the disk. `path` is an overlay path as the backend sent
// it; on success `*normalized` is the clean relative form ("a/b/c": no ".", no "..", no empty
// components). Codes: ERR_INVALID_PATH (empty, NUL, absolute outside container_home, trailing
// '/', a component over 255 bytes, ".." above the home, the home itself) or ERR_RESERVED_PATH
// (".spoon" or anything below it). `*normalized` is filled for ERR_RESERVED_PATH too, so the
// package's own writers (the marker) can accept that one code.
Error CheckHomePath(std::string_view path, std::string_view container_home, std::string* normalized);

class HomeRoot {
 public:
  struct Parent {
    UniqueFd dir;      // directory that holds the final component; inside the home
    std::string name;  // the final component, one name, never "." or ".."
    // `dir` was made by this resolution (create_missing): it was empty when made, so whatever is
    // in it now was put there since (by the home's owner, racing us).
    bool created = false;
  };

  // Pins `home_dir` (absolute, must exist and be a directory; opened O_PATH|O_DIRECTORY, the last
  // component not followed). ERR_HOME_INVALID when it is not a directory or cannot be opened.
  static Error Open(const std::string& home_dir, HomeOptions options, HomeRoot* out);

  // Resolves every component of `normalized` but the last, following symlinks only as the design
  // allows (a relative target while it stays inside; an absolute one under containerHome or under
  // the home's own host path, which is what a setup run with HOME set to it makes) (ERR_SYMLINK_ESCAPE, ERR_SYMLINK_LOOP, ERR_NOT_DIRECTORY), creating missing
  // directories 0755 (owned by uid/gid when set) when `create_missing` is true.
  // A missing directory without `create_missing` is ERR_NOT_DIRECTORY with sys_errno ENOENT
  // (readers turn it into "absent"). Other OS failures: ERR_WRITE_FAILED when creating,
  // ERR_READ_FAILED otherwise, with the OS error. `out->dir` is an O_PATH descriptor (or, for a
  // directory we just created, O_RDONLY): good for *at() calls and fstat, not for fsync/fchmod.
  Error ResolveParent(std::string_view normalized, bool create_missing, Parent* out) const;
  // The same walk over every component of `normalized`: the directory it names (empty: the home
  // itself), with the same errors and the same kind of descriptor.
  Error ResolveDirectory(std::string_view normalized, bool create_missing, UniqueFd* out) const;

  // Where the file `normalized` names ends up when its final component is a symlink that resolves
  // inside the home: the overlay writes through such a link, as the seed's writeFile and Go's
  // os.Root do, because dotfiles managers keep `~/.bashrc -> .dotfiles/bashrc` and expect it to
  // stay a link. Links are followed by the walker's rules (a relative target while it stays
  // inside, an absolute one under containerHome or under the home's own host path, at most 40),
  // the final one included; `out` is the directory holding the file it ends at, and its name,
  // which may not exist yet. Not followed, for the caller to replace the link itself:
  // ERR_SYMLINK_ESCAPE (leads out), ERR_NOT_DIRECTORY (dangles into a missing directory),
  // ERR_SYMLINK_LOOP, ERR_IS_DIRECTORY (ends at a directory), ERR_RESERVED_PATH (ends in .spoon/).
  Error FollowFinalLink(std::string_view normalized, Parent* out) const;

  // Where a walk that follows no link at all stopped short of its end.
  struct Stop {
    enum Why { kNone, kMissing, kSymlink, kNotDirectory };
    Why why = kNone;
    std::string at;  // the components up to and including the one that stopped it ("a/b")
  };
  // The same walker for readers that report a planted link instead of following it (diagnostics,
  // the setup script's detection): no symlink is followed, not even one that stays inside the
  // home, and nothing is created. When a component on the way is missing, a symlink or not a
  // directory, the call succeeds with `stop->why` saying so and `out` left empty; an Error is a
  // failure of the OS only (ERR_READ_FAILED). Descriptors are O_PATH, as above.
  Error ResolveParentNoFollow(std::string_view normalized, Parent* out, Stop* stop) const;
  Error ResolveDirectoryNoFollow(std::string_view normalized, UniqueFd* out, Stop* stop) const;

  int fd() const { return root_.get(); }
  // The mode every directory we create gets, whatever the umask.
  static constexpr mode_t kDirMode = 0755;
  const std::string& path() const { return home_dir_; }
  const HomeOptions& options() const { return options_; }

 private:
  // The one walker: openat2 (RESOLVE_BENEATH) when it can decide, else ResolveManually.
  // `no_follow` set: follow no link, stop where the walk cannot go on (see ResolveParentNoFollow).
  // `created` set: told whether the directory reached is one this call made.
  Error ResolveComponents(std::string_view normalized, const std::vector<std::string_view>& components,
                          bool create_missing, UniqueFd* out, Stop* no_follow = nullptr, bool* created = nullptr) const;
  Error ResolveManually(std::string_view normalized, const std::vector<std::string_view>& components,
                        bool create_missing, UniqueFd* out, Stop* no_follow, bool* created) const;

  UniqueFd root_;
  std::string home_dir_;
  HomeOptions options_;
};

// The target of the symlink `name` in `dir`, for the walker and the readers alike; empty when it
// is no longer a symlink (a race with the home's owner). `failure_code` for an OS failure.
Error ReadSymlinkAt(int dir, const std::string& name, const std::string& path, const char* failure_code,
                    std::string* target);

// Whether the running kernel offers openat2(2) (Linux 5.6+; seccomp profiles may hide it). Probed
// once; the walker also remembers an ENOSYS it meets.
bool HasOpenat2();

}  // namespace home
