// Replacing one name in a directory atomically: a temporary file with an unpredictable name in the
// same directory, written in full, given its exact mode and owner through its descriptor, then
// renamed over the name. Whatever was at the name (a symlink, a hardlink to an outside file, a
// fifo, a device) is replaced as a directory entry; it is never opened or written through.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.h"

namespace home {

struct FileAttributes {
  mode_t mode = 0644;  // exact, whatever the umask
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
};

enum class ExistingName {
  kReplace,  // renameat: replace any non-directory at the name
  kKeep,     // renameat2(RENAME_NOREPLACE): anything at the name (even a dangling symlink) wins
};

// Writes `bytes` below `dir_fd` as `name`. `durable` adds fsync of the file before the rename and
// of the directory after it. With kKeep, `*created` tells whether our file took the name (else
// the temporary file is removed and nothing changed). No temporary file survives a failure.
// Errors: ERR_IS_DIRECTORY when a directory holds the name; ERR_WRITE_FAILED otherwise, with the
// OS error; `report_path` is the path the error names.
Error WriteFileAtomically(int dir_fd, const std::string& name, std::string_view bytes, const FileAttributes& attributes,
                          ExistingName existing, bool durable, const std::string& report_path, bool* created = nullptr);

// Whether `name` is one of WriteFileAtomically's temporary names (".home-native-<24 hex>.tmp"):
// what a process killed between creating and renaming one leaves behind.
bool IsTempName(std::string_view name);

}  // namespace home
