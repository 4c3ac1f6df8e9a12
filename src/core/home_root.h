// HomeRoot: the user's home as a pinned directory descriptor, and the one path walker through it.
// The home belongs to the user, who is treated as an attacker: every path below it is resolved
// from the pinned descriptor one component at a time (see DESIGN.md, "The home is hostile").
//
// Contract shared by the overlay writer, the marker and profile files, and the clone swap:
//   - paths given to ResolveParent are relative POSIX paths that already passed CheckHomePath;
//   - the returned Parent is an open directory descriptor inside the home plus the final name,
//     which the caller acts on with *at() calls and never follows when it is a symlink.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/unique_fd.h"

namespace home {

struct HomeOptions {
  // Absolute path of the home inside the container ("/home/alice"). Absolute symlink targets and
  // absolute overlay paths under it are mapped into the home; empty disables the mapping.
  std::string container_home;
  std::optional<uid_t> uid;  // owner for what we create, when set
  std::optional<gid_t> gid;
  bool force_manual_walk = false;  // tests: skip the openat2 fast path
};

// Lexical checks, before anything touches the disk. `path` is an overlay path as the backend sent
// it; on success `*normalized` is the clean relative form ("a/b/c": no ".", no "..", no empty
// components). Codes: ERR_INVALID_PATH (empty, NUL, absolute outside container_home, trailing
// '/', a component over 255 bytes, ".." above the home, the home itself) or ERR_RESERVED_PATH
// (".spoon" or anything below it).
Error CheckHomePath(std::string_view path, std::string_view container_home, std::string* normalized);

class HomeRoot {
 public:
  struct Parent {
    UniqueFd dir;      // directory that holds the final component; inside the home
    std::string name;  // the final component, one name, never "." or ".."
  };

  // Pins `home_dir` (absolute, must exist and be a directory; opened O_PATH|O_DIRECTORY, the last
  // component not followed). ERR_HOME_INVALID when it is not a directory or cannot be opened.
  static Error Open(const std::string& home_dir, HomeOptions options, HomeRoot* out);

  // Resolves every component of `normalized` but the last, following symlinks only as the design
  // allows (ERR_SYMLINK_ESCAPE, ERR_SYMLINK_LOOP, ERR_NOT_DIRECTORY), creating missing
  // directories 0755 (owned by uid/gid when set) when `create_missing` is true.
  Error ResolveParent(std::string_view normalized, bool create_missing, Parent* out) const;

  int fd() const { return root_.get(); }
  const std::string& path() const { return home_dir_; }
  const HomeOptions& options() const { return options_; }

 private:
  UniqueFd root_;
  std::string home_dir_;
  HomeOptions options_;
};

}  // namespace home
