// The package's own small files in the home: the login profile (created only when missing) and
// the config-hash marker (read without following links, written durably). Same sandbox as the
// overlay: every path is resolved through the pinned home descriptor.
//
// These paths come from the package, not from the user's overlay, so `.spoon/` is allowed here
// (the marker lives there); every other rule of CheckHomePath applies.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.h"
#include "core/fs/home_root.h"

namespace home {

// Creates the home directory itself and its missing parents, as `mkdir -p` with mode 0755 less
// the umask (the seed's fs.mkdir). These are the operator's directories (${workdir}/homes),
// outside every container, so a plain path walk is right here; what lies inside the home is the
// user's and goes through HomeRoot. ERR_HOME_INVALID (with the OS error) when a component is not
// a directory or cannot be created.
Error MakeHomeDirectory(const std::string& home_dir);

// Creates `rel_path` with `content` (0644, uid/gid when set) only when nothing is at that name:
// written to a temporary file first and moved with renameat2(RENAME_NOREPLACE), so a crash never
// leaves a half-written file, and anything already there (a file, a directory, a symlink, even a
// dangling one) counts as existing and is never written through. Missing parents are created.
Error CreateFileIfMissing(const std::string& home_dir, std::string_view rel_path, std::string_view content,
                          const HomeOptions& options, bool* created);

// Reads a regular file of at most `max_bytes`. `*out` is empty (absent) when the file or a
// directory on the way is missing, and also when the name is not a regular file: a symlink (the
// marker is never read through a link: a planted link reads as "no marker", so the next write
// replaces it), a directory, a fifo, a socket, a device. ERR_FILE_TOO_LARGE above the cap.
// A link escaping the home on the way is still an error (ERR_SYMLINK_ESCAPE...), not "absent",
// and so is a file where a directory should be (ERR_NOT_DIRECTORY); only a missing directory on
// the way reads as absent.
Error ReadSmallFile(const std::string& home_dir, std::string_view rel_path, size_t max_bytes,
                    const HomeOptions& options, std::optional<std::string>* out);

// Replaces `rel_path` atomically (as the overlay writer does, 0644) and durably: the file is
// fsync'ed before the rename and its directory after. ERR_IS_DIRECTORY when a directory holds
// the name.
Error WriteFileDurable(const std::string& home_dir, std::string_view rel_path, std::string_view content,
                       const HomeOptions& options);

}  // namespace home
