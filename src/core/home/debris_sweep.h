// What a process killed in the middle of a materialization leaves behind, and its removal by the
// next holder of the home's lock (HomeLock::recovered): temporary files of atomic writes in the
// home, clone directories and old trees in the staging area.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/fs/home_root.h"

namespace home {

struct SweepResult {
  size_t temp_files = 0;  // temporary files removed from the home
};

// Removes WriteFileAtomically's temporary names (IsTempName) from the directories a
// materialization writes to: the home itself, .spoon/, and the parent directory of each overlay
// path in `overlay_paths` (as the backend sends them; invalid ones are skipped). Directories are
// resolved through the pinned home like every write (a symlinked one is followed only inside the
// home); entries are unlinked by name, never followed. Then sweeps the staging area's unclaimed
// clone directories (SweepStaleCloneDirs). Best effort: what cannot be removed stays for the
// next sweep; only ERR_HOME_INVALID is returned.
Error SweepDebris(const std::string& home_dir, const std::string& staging_dir,
                  const std::vector<std::string>& overlay_paths, const HomeOptions& options, SweepResult* result);

}  // namespace home
