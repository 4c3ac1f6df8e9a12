// A superproject's submodules as its .gitmodules and tree declare them, checked the way git
// checks them before anything is fetched: the repository is the user's, so every name, path and
// URL in .gitmodules is attacker input. The shapes refused are those of CVE-2018-11235 (a name
// that climbs out of .git/modules), CVE-2018-17456 (a URL or path that reads as an option),
// CVE-2019-1387 (gitdirs nested in one another) and CVE-2024-32002 (a path through a symlink,
// checked against the checkout by the caller).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.h"

namespace home {

struct SubmoduleDecl {
  std::string name;  // the .gitmodules section: its gitdir is .git/modules/<name>
  std::string path;  // where its work tree goes, relative to the superproject's
  std::string url;   // as written: absolute, or relative ("../dotbot.git") to the superproject's
};

// One `submodule.<name>.<key> = value` line of .gitmodules.
struct GitmodulesEntry {
  std::string name;
  std::string key;  // "path", "url", ...
  std::string value;
};

// The submodules to clone: every entry with both a path and a URL whose path the superproject's
// tree records as a gitlink (`gitlinks`, paths relative to the tree's root); others are ignored,
// as git ignores them. ERR_CLONE_UNSAFE_PATH naming the submodule for: a name that is empty or
// has a ".." component (either slash), or is a parent of another's name (nested gitdirs); a path
// that is empty, absolute, has "." / ".." / ".git" components (any spelling NTFS or HFS+ reads
// as .git) or starts with '-'; a URL that starts with '-'; two submodules with one path.
Error SubmodulesToClone(const std::vector<GitmodulesEntry>& entries, const std::vector<std::string>& gitlinks,
                        std::vector<SubmoduleDecl>* out);

// A submodule URL as git resolves it (builtin/submodule--helper.c relative_url): "./x" and "../x"
// against the superproject's URL (`base`, its trailing '/' dropped, each "../" removing one path
// component; scp-like `host:path` bases keep their colon), anything else as it is.
// ERR_CLONE_UNSAFE_PATH when a relative URL climbs above the base's host.
Error ResolveSubmoduleUrl(std::string_view base, std::string_view url, std::string* out);

}  // namespace home
