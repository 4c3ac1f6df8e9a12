// libFuzzer target for CheckHomePath, the lexical gate every overlay path passes. Invariants:
//   - accepted (or ERR_RESERVED_PATH): the normalized form is relative, has no ".", ".." or empty
//     component, no component over 255 bytes, no NUL; accepted paths are not under .spoon/,
//     reserved ones are;
//   - idempotent: the normalized form checks again to itself, with the same code, and so does
//     containerHome + "/" + normalized;
//   - every other failure is ERR_INVALID_PATH, and a NUL byte or an empty path always fails.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/fs/home_root.h"
#include "core/fs/path_components.h"

namespace {

void Require(bool condition, const char* what, const std::string& path, const std::string& normalized) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n  path: '%s'\n  normalized: '%s'\n", what, path.c_str(),
               normalized.c_str());
  std::abort();
}

// The container homes the backend sends, and the edge cases of the mapping.
const char* const kContainerHomes[] = {"", "/home/alice", "/home/alice/", "/", "/home"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  const std::string container_home = input.PickValueInArray(kContainerHomes);
  const std::string path = input.ConsumeRemainingBytesAsString();

  std::string normalized;
  const home::Error error = home::CheckHomePath(path, container_home, &normalized);
  if (path.empty() || path.find('\0') != std::string::npos) Require(bool(error), "empty or NUL accepted", path, normalized);
  if (error && error.code != "ERR_RESERVED_PATH") {
    Require(error.code == "ERR_INVALID_PATH", "unexpected code", path, error.code);
    return 0;
  }

  Require(!normalized.empty(), "empty normalized form", path, normalized);
  Require(normalized.front() != '/', "leading '/'", path, normalized);
  Require(normalized.back() != '/', "trailing '/'", path, normalized);
  Require(normalized.find('\0') == std::string::npos, "NUL in normalized form", path, normalized);
  const auto components = home::SplitComponents(normalized);
  size_t joined = 0;
  for (std::string_view c : components) {
    Require(!c.empty() && c != "." && c != "..", "'.', '..' or empty component", path, normalized);
    Require(c.size() <= 255, "component over NAME_MAX", path, normalized);
    joined += c.size() + 1;
  }
  Require(joined == normalized.size() + 1, "doubled '/'", path, normalized);
  const bool reserved = components.front() == ".spoon";
  Require(reserved == (error.code == "ERR_RESERVED_PATH"), "reserved .spoon/ not reported exactly", path, normalized);

  // Idempotent, relative and (when there is one) through containerHome.
  std::string again;
  const home::Error second = home::CheckHomePath(normalized, container_home, &again);
  Require(second.code == error.code && again == normalized, "not idempotent", path, again);
  if (!container_home.empty()) {
    std::string mapped;
    const home::Error third = home::CheckHomePath(container_home + "/" + normalized, container_home, &mapped);
    Require(third.code == error.code && mapped == normalized, "containerHome form differs", path, mapped);
  }
  return 0;
}
