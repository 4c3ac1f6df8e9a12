// cloneRepository's core: clone into the private staging area, give the tree to the home's
// owner, swap it into the home through the pinned home descriptor, remove the old tree. A failed
// or cancelled clone leaves the home exactly as it was and nothing behind in the staging area.
#pragma once

#include <string>

#include "core/base/cancel.h"
#include "core/base/error.h"
#include "core/fs/home_root.h"
#include "core/git/clone.h"

namespace home {

struct CloneRequest {
  CloneSpec spec;
  std::string home_dir;            // absolute
  std::string into = ".dotfiles";  // relative to the home, checked by CheckHomePath
  std::string staging_dir;         // absolute, same filesystem as the home
  HomeOptions home;                // container_home, uid, gid
  // When set (a path below the home, ".spoon/env-hash"): emptied durably right before the new
  // tree is swapped in, so that a marker never vouches for a tree it was not written for, even
  // when the process dies between the swap and the setup. A clone that fails before the swap
  // leaves it as it was: the old tree it vouches for is still there.
  std::string invalidate_marker;
};

Error CloneIntoHome(const CloneRequest& request, const CancelFlag& cancel, const CloneProgressFn& on_progress,
                    CloneResult* result);

}  // namespace home
