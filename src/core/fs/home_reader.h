// Read-only looks below the home that follow no symlink at all: what is at a path, a directory's
// entries, a small file's bytes. For the readers that report what the user planted instead of
// following it (the CLI's diagnostics, the setup script's detection), where the overlay writer's
// "follow a link while it stays inside" would hide the link being asked about.
//
// Every path is resolved by HomeRoot's one walker in its no-follow mode: each component but the
// last opened O_NOFOLLOW from the descriptor of the one before (or by openat2 with
// RESOLVE_NO_SYMLINKS), the last looked at with fstatat(AT_SYMLINK_NOFOLLOW) / readlinkat on
// its parent's descriptor. Nothing is ever opened that is not a regular file or a directory, so
// a fifo or a device can neither block the call nor be triggered by it, and a read stops one
// byte past its cap. The same promise as HomeRoot: a concurrent writer can make an answer
// stale, never make it come from outside the home.
//
// `rel_path` passes CheckHomePath (relative, no ".." above the home), with `.spoon/` allowed: a
// diagnosis reads the package's own marker too. Errors are ERR_INVALID_PATH, ERR_HOME_INVALID
// and ERR_READ_FAILED (an OS failure, with its errno); everything the user can arrange (a link,
// a fifo, a missing name, a huge file) is an answer, not an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/fs/home_root.h"

namespace home {

enum class EntryKind {
  kMissing,
  kSymlink,
  kDirectory,
  kFile,   // a regular file
  kOther,  // a fifo, a socket, a device
  kBlocked,  // a component on the way is a symlink or not a directory (EntryInfo::blocked_at)
};

// "missing", "symlink", "directory", "file", "other", "blocked".
const char* EntryKindName(EntryKind kind);

struct EntryInfo {
  EntryKind kind = EntryKind::kMissing;
  uint64_t size = 0;   // kFile: st_size
  std::string target;  // kSymlink: the link's text, verbatim
  // kBlocked: the components up to the one that stopped the walk ("a/b"), and whether it was a
  // symlink (else a file or something else where a directory should be).
  std::string blocked_at;
  bool blocked_by_symlink = false;
};

// What is at `rel_path`, the last component not followed.
Error InspectHomePath(const std::string& home_dir, std::string_view rel_path, const HomeOptions& options,
                      EntryInfo* out);

struct HomeFileRead {
  EntryInfo entry;
  // The bytes, when `entry` is a regular file of at most max_bytes; empty otherwise (a file over
  // the cap is reported with its size, or max_bytes + 1 when it grew past the cap as we read).
  std::optional<std::string> content;
};

// Reads `rel_path` when it is a regular file of at most `max_bytes`, reached through real
// directories only.
Error ReadHomeFile(const std::string& home_dir, std::string_view rel_path, size_t max_bytes, const HomeOptions& options,
                   HomeFileRead* out);

struct DirEntry {
  std::string name;
  EntryKind kind = EntryKind::kOther;  // never kMissing or kBlocked
  std::string target;                  // kSymlink
};

struct DirListing {
  // kDirectory when it was listed; otherwise why not (missing, a symlink, a file, blocked).
  EntryInfo entry;
  std::vector<DirEntry> entries;  // in the directory's own order, "." and ".." left out
  bool capped = false;            // more entries than max_entries: the rest were not read
};

// Lists the directory at `rel_path` (empty: the home itself) from its own descriptor, opened
// O_DIRECTORY|O_NOFOLLOW below its parent's, at most `max_entries` entries.
Error ListHomeDirectory(const std::string& home_dir, std::string_view rel_path, size_t max_entries,
                        const HomeOptions& options, DirListing* out);

// What is at `name` below `dir` (a descriptor inside the home), never followed; a symlink's text
// read with it (looked at again, at most a few times, when the user swaps the name between the two
// calls). Shared with the dotfile links (core/home/dotfile_links). `path` names it in errors.
Error InspectAt(int dir, const std::string& name, const std::string& path, EntryInfo* out);

// The capped read itself, shared with ReadSmallFile (core/home/home_file): `name` below `dir`
// when it is a regular file (looked at before opening, so a fifo or a device is never opened;
// opened O_NOFOLLOW|O_NONBLOCK and looked at again). `*entry` says what is there; `*content` is
// filled for a regular file within the cap. `path` names it in errors.
Error ReadRegularFileAt(int dir, const std::string& name, size_t max_bytes, const std::string& path, EntryInfo* entry,
                        std::optional<std::string>* content);

}  // namespace home
