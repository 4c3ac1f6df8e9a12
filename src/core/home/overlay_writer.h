// The overlay writer: a batch of files written into the home through the pinned home descriptor,
// on the calling thread, which a batch of hundreds of files joins with up to three writer threads
// of its own for its length.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/base/cancel.h"
#include "core/base/error.h"
#include "core/fs/home_root.h"

namespace home {

struct OverlayFile {
  std::string path;         // as the backend sent it: relative, or absolute under container_home
  std::string bytes;        // the content, verbatim
  bool executable = false;  // 0755 when true, else 0644
};

struct OverlayResult {
  size_t written = 0;
  size_t unchanged = 0;
  // Each failed file, in input order: `path` is the file's path as given, `code` its own code.
  std::vector<Error> failures;
};

// Phase 1, before anything is written: every path passes CheckHomePath, no two entries name the
// same file, and no entry is another entry's parent directory. Any failure returns
// ERR_RESERVED_PATH (when every offending entry is under .spoon/) or ERR_INVALID_PATH, with all
// offending entries in `failures`, and nothing is written.
// Phase 2, file by file, grouped by directory (each directory resolved once; a large batch spreads
// its directories over a few threads, joined before returning): an unchanged file
// (same bytes, exact mode, owner when given, a single link) is left as it is; anything else is
// replaced atomically. A failing file does not stop the others; the call then returns
// ERR_OVERLAY_FAILED naming every failed path. Cancellation is checked between files and returns
// ERR_ABORTED (files already written stay written; `written`/`unchanged` say how many).
// ERR_HOME_INVALID when the home cannot be pinned.
Error WriteOverlay(const std::string& home_dir, const std::vector<OverlayFile>& files, const HomeOptions& options,
                   const CancelFlag& cancel, OverlayResult* result);

}  // namespace home
