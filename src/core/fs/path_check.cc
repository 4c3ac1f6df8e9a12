// CheckHomePath: the lexical gate every overlay path passes before anything touches the disk.
//
// ".." is resolved lexically ("a/../b" is "b"), the way path.posix.normalize does it, not the way
// the kernel would (where "a" could be a symlink). That is safe because the result is then walked
// from the pinned home descriptor, which applies the symlink rules to whatever is on the disk; the
// lexical step only has to guarantee that the clean path does not start above the home.
#include <string>
#include <string_view>
#include <vector>

#include "core/fs/home_root.h"
#include "core/fs/path_components.h"

namespace home {
namespace {

// NAME_MAX on Linux: no filesystem we write to accepts a longer component.
constexpr size_t kMaxComponentBytes = 255;

Error Invalid(std::string_view path, const std::string& why) {
  return MakeError("ERR_INVALID_PATH", "invalid overlay path: " + why, std::string(path));
}

}  // namespace

Error CheckHomePath(std::string_view path, std::string_view container_home, std::string* normalized) {
  normalized->clear();
  if (path.empty()) return Invalid(path, "empty");
  if (path.find('\0') != std::string_view::npos) return Invalid(path, "contains a NUL byte");
  if (path.back() == '/') return Invalid(path, "ends with '/'");

  std::string_view relative = path;
  if (path.front() == '/') {
    if (!MapContainerPath(path, container_home, &relative)) {
      return Invalid(path, container_home.empty() ? "absolute path (no containerHome to map it)"
                                                  : "absolute path outside containerHome");
    }
  }

  std::vector<std::string_view> clean;
  for (std::string_view component : SplitComponents(relative)) {
    if (component.size() > kMaxComponentBytes) return Invalid(path, "a component is longer than 255 bytes");
    if (component == ".") continue;
    if (component == "..") {
      if (clean.empty()) return Invalid(path, "'..' climbs above the home");
      clean.pop_back();
      continue;
    }
    clean.push_back(component);
  }
  if (clean.empty()) return Invalid(path, "names the home itself");

  for (size_t i = 0; i < clean.size(); ++i) {
    if (i) *normalized += '/';
    *normalized += clean[i];
  }
  // `*normalized` is filled even here: callers allowed to write the package's own files (the
  // marker) accept this one code and use the clean path.
  if (clean.front() == std::string_view(kReservedDir)) {
    return MakeError("ERR_RESERVED_PATH", "reserved path: .spoon/ belongs to @spoon/home-native", std::string(path));
  }
  return {};
}

}  // namespace home
