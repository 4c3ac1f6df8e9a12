// The load-time zlib gate: which process zlib a binary compiled against given headers may bind
// (the same major, a minor no older than the headers'), and the check against this process's.
#include "core/base/zlib_version.h"

#include <gtest/gtest.h>
#include <zlib.h>

namespace home {
namespace {

TEST(ZlibVersion, AnyPatchOrALaterMinorIsFine) {
  EXPECT_EQ(ZlibMismatch("1.2.13", "1.2.13"), "");
  EXPECT_EQ(ZlibMismatch("1.2.13", "1.2.11"), "");  // a patch release adds no interface
  EXPECT_EQ(ZlibMismatch("1.2.13", "1.3.1"), "");
  // Chromium's (Node's own) and distributions' suffixes.
  EXPECT_EQ(ZlibMismatch("1.2.13", "1.3.1-e00f703"), "");
  EXPECT_EQ(ZlibMismatch("1.2.13", "1.3.0.1-motley"), "");
}

TEST(ZlibVersion, AnEarlierMinorIsRefused) {
  const std::string why = ZlibMismatch("1.3.1", "1.2.13");
  EXPECT_NE(why.find("older than the 1.3.1"), std::string::npos) << why;
}

TEST(ZlibVersion, AnotherMajorOrNoVersionIsRefused) {
  EXPECT_NE(ZlibMismatch("1.2.13", "2.0.0").find("different major version"), std::string::npos);
  EXPECT_NE(ZlibMismatch("1.2.13", "0.9").find("different major version"), std::string::npos);
  // zlib-ng's native API reports its own numbering; only its compat build speaks zlib's ABI.
  EXPECT_NE(ZlibMismatch("1.2.13", "").find("not a version"), std::string::npos);
  EXPECT_NE(ZlibMismatch("1.2.13", "ng").find("not a version"), std::string::npos);
  EXPECT_NE(ZlibMismatch("1.2.13", "1").find("not a version"), std::string::npos);
}

TEST(ZlibVersion, TheZlibThisProgramRunsOnPasses) {
  const Error e = CheckProcessZlib();
  EXPECT_FALSE(e) << e.message << " (" << zlibVersion() << ")";
}

}  // namespace
}  // namespace home
