#include "core/git/submodule_config.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/git/tree_entry_check.h"

namespace home {
namespace {

Error Unsafe(const std::string& name, const std::string& why) {
  return MakeError("ERR_CLONE_UNSAFE_PATH", "submodule '" + name + "': " + why, name);
}

std::vector<std::string_view> Split(std::string_view text, std::string_view separators) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || separators.find(text[i]) != std::string_view::npos) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// git's check_submodule_name: the name becomes a path below .git/modules.
const char* BadName(std::string_view name) {
  if (name.empty()) return "an empty name";
  for (std::string_view part : Split(name, "/\\")) {
    if (part == "..") return "a name with a '..' component (it would leave .git/modules)";
  }
  return nullptr;
}

bool IsDotGitAnySpelling(std::string_view part) {
  if (part.size() == 4) {
    std::string lower(part);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == ".git") return true;
  }
  return IsNtfsDotGit(part) || IsHfsDotGit(part);
}

const char* BadPath(std::string_view path) {
  if (path.empty()) return "an empty path";
  if (path.front() == '-') return "a path that starts with '-' (it would read as an option)";
  if (path.front() == '/') return "an absolute path";
  for (std::string_view part : Split(path, "/")) {
    if (part.empty() || part == "." || part == "..") return "a path with an empty, '.' or '..' component";
    if (IsDotGitAnySpelling(part)) return "a path through a .git directory";
  }
  return nullptr;
}

// "a" is a parent of "a/b": .git/modules/a would hold .git/modules/a/b.
bool IsParentName(std::string_view parent, std::string_view child) {
  return child.size() > parent.size() && child.compare(0, parent.size(), parent) == 0 && child[parent.size()] == '/';
}

}  // namespace

Error SubmodulesToClone(const std::vector<GitmodulesEntry>& entries, const std::vector<std::string>& gitlinks,
                        std::vector<SubmoduleDecl>* out) {
  std::map<std::string, SubmoduleDecl> by_name;
  for (const GitmodulesEntry& entry : entries) {
    SubmoduleDecl& decl = by_name[entry.name];
    decl.name = entry.name;
    if (entry.key == "path") decl.path = entry.value;
    if (entry.key == "url") decl.url = entry.value;
  }
  const std::set<std::string> links(gitlinks.begin(), gitlinks.end());
  std::set<std::string> paths;
  out->clear();
  for (const auto& [name, decl] : by_name) {
    if (decl.path.empty() && decl.url.empty()) continue;
    if (const char* why = BadName(name)) return Unsafe(name, why);
    if (const char* why = BadPath(decl.path)) return Unsafe(name, why);
    if (!decl.url.empty() && decl.url.front() == '-') return Unsafe(name, "a URL that starts with '-' (it would read as an option)");
    // Only what the tree records as a gitlink is a submodule of this commit.
    if (decl.url.empty() || !links.count(decl.path)) continue;
    if (!paths.insert(decl.path).second) return Unsafe(name, "a path another submodule has too ('" + decl.path + "')");
    out->push_back(decl);
  }
  for (const SubmoduleDecl& a : *out) {
    for (const SubmoduleDecl& b : *out) {
      if (IsParentName(a.name, b.name)) return Unsafe(b.name, "a name inside submodule '" + a.name + "''s (nested gitdirs)");
    }
  }
  return {};
}

Error ResolveSubmoduleUrl(std::string_view base, std::string_view url, std::string* out) {
  if (url.compare(0, 2, "./") != 0 && url.compare(0, 3, "../") != 0) {
    out->assign(url);
    return {};
  }
  std::string remote(base);
  while (!remote.empty() && remote.back() == '/') remote.pop_back();
  // Where the path starts: after "scheme://host", after "host:" (scp-like), or at 0 (a local path).
  size_t floor = 0;
  bool colon = false;
  if (const size_t scheme = remote.find("://"); scheme != std::string::npos) {
    const size_t slash = remote.find('/', scheme + 3);
    floor = slash == std::string::npos ? remote.size() : slash;
  } else if (const size_t c = remote.find(':'); c != std::string::npos && remote.find('/') > c) {
    floor = c + 1;
    colon = true;
  }
  std::string_view rest = url;
  while (true) {
    if (rest.compare(0, 2, "./") == 0) {
      rest.remove_prefix(2);
    } else if (rest.compare(0, 3, "../") == 0) {
      rest.remove_prefix(3);
      const size_t slash = remote.rfind('/');
      if (slash == std::string::npos || slash < floor) {
        if (remote.size() <= floor) {
          return MakeError("ERR_CLONE_UNSAFE_PATH", "submodule URL '" + std::string(url) + "' climbs above its host",
                           std::string(url));
        }
        remote.resize(floor);  // the last component right after the host (or the colon)
      } else {
        remote.resize(slash);
      }
    } else {
      break;
    }
  }
  const bool at_floor = remote.size() == floor;
  *out = remote + (at_floor && colon ? "" : "/") + std::string(rest);
  return {};
}

}  // namespace home
