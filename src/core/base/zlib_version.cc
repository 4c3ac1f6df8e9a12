#include "core/base/zlib_version.h"

#include <zlib.h>

#include <cstdlib>

namespace home {
namespace {

struct MajorMinor {
  long major = -1;
  long minor = -1;
};

// "1.3.1", "1.2.13.1-motley", "1.3.1-e00f703": the leading "major.minor"; -1 where unreadable.
MajorMinor Parse(std::string_view v) {
  MajorMinor out;
  const std::string s(v);
  char* end = nullptr;
  const long major = std::strtol(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '.') return out;
  const char* minor_start = end + 1;
  const long minor = std::strtol(minor_start, &end, 10);
  if (end == minor_start) return out;
  out.major = major;
  out.minor = minor;
  return out;
}

}  // namespace

std::string ZlibMismatch(std::string_view built, std::string_view running) {
  const MajorMinor b = Parse(built);
  const MajorMinor r = Parse(running);
  if (r.major < 0) return "not a version this binary can read";
  const std::string headers = "the " + std::string(built) + " this binary was compiled against";
  if (r.major != b.major) return "a different major version than " + headers;
  if (r.minor < b.minor) return "older than " + headers;
  return {};
}

Error CheckProcessZlib() {
  const char* running = zlibVersion();
  std::string why = ZlibMismatch(ZLIB_VERSION, running);
  if (why.empty()) {
    z_stream probe{};
    const int rc = inflateInit(&probe);
    if (rc == Z_OK) {
      inflateEnd(&probe);
      return {};
    }
    why = "refusing this binary's inflate stream (zlib error " + std::to_string(rc) + ")";
  }
  const MajorMinor b = Parse(ZLIB_VERSION);
  return MakeError("ERR_NATIVE_LOAD", std::string("the zlib in this Node process (") + running + ") is " + why +
                                          ": the addon uses the process's zlib and needs zlib " +
                                          std::to_string(b.major) + "." + std::to_string(b.minor) + " or a later " +
                                          std::to_string(b.major) + ".x");
}

}  // namespace home
