// The fallback install of Codespaces, Gitpod and the devcontainer tooling: when a dotfiles
// repository has no setup script, each of its top-level dotfiles is linked into the home as a
// relative symlink (`~/.vimrc -> .dotfiles/.vimrc`), so that the link means the same inside the
// container (where the home is mounted elsewhere) as on the host.
//
// Everything goes through HomeRoot: the home is its pinned descriptor, the checkout is opened
// below it with O_NOFOLLOW (a planted `~/.dotfiles -> /etc` is refused, never listed), the
// checkout's entries are read from its own descriptor, and every link is made, read and removed
// with *at() calls on the home's descriptor. Nothing is written outside the home, and nothing in
// the home is ever followed, written through or replaced:
//   - a name in the home that is not our link (a file, a directory, another link, even a dangling
//     one) is left alone and reported in `in_the_way`;
//   - our link from an earlier run (its text exactly `<checkout>/<name>`) is kept (`unchanged`);
//   - our link whose entry is gone from the checkout (a re-clone removed `.foo`) is removed; a link
//     with any other text is never removed, dangling or not.
// What is not guaranteed (the same promise as HomeRoot): the user may swap names while we work, so
// a report can be stale, and a removal may hit a link the user put back at that name in between;
// whatever we act on is a name in the home itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"
#include "core/fs/home_root.h"

namespace home {

struct DotfileLinks {
  std::vector<std::string> linked;      // links made by this call
  std::vector<std::string> unchanged;   // our links from an earlier run, kept
  std::vector<std::string> in_the_way;  // names already taken by something else, left alone
  std::vector<std::string> removed;     // our links whose entry left the checkout, removed
};

// Whether the checkout's top-level `name` is linked: it starts with '.', and it is not the
// repository's own git metadata (`.git`, `.gitmodules`, `.github`, `.gitignore`,
// `.gitattributes`: a repository's ignore and attribute files say nothing about the home, while
// `.gitconfig` is the user's and is linked), nor the package's reserved `.spoon`.
bool IsLinkableDotfile(std::string_view name);

// Links the top-level dotfiles of the checkout `checkout` (a path relative to the home, ".dotfiles")
// into the home, as described above. Each list is sorted by name. Links are owned by
// options.uid/gid when set. Errors: ERR_INVALID_PATH / ERR_RESERVED_PATH (`checkout`),
// ERR_HOME_INVALID, ERR_NOT_DIRECTORY (the checkout is missing, a symlink or not a directory,
// with ENOENT, ELOOP or ENOTDIR), ERR_READ_FAILED (listing), ERR_WRITE_FAILED (making a link or
// giving it its owner), ERR_REMOVE_FAILED (removing a stale link), each with the OS error.
Error LinkDotfiles(const std::string& home_dir, std::string_view checkout, const HomeOptions& options,
                   DotfileLinks* out);

}  // namespace home
