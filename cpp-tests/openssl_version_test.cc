// The load-time OpenSSL gate: which process OpenSSL a binary compiled against given headers may
// bind, by OpenSSL's ABI rules (same major, a minor no older than the headers').
#include "core/base/openssl_version.h"

#include <gtest/gtest.h>

namespace home {
namespace {

// OPENSSL_VERSION_NUMBER layouts: 0xMNN00PP0 from 3.0 on, 0xMNNFFPPS before.
constexpr unsigned long k3_0_2 = 0x30000020UL;
constexpr unsigned long k3_0_19 = 0x30000130UL;
constexpr unsigned long k3_2_0 = 0x30200000UL;
constexpr unsigned long k3_5_1 = 0x30500010UL;
constexpr unsigned long k1_1_1w = 0x1010117fUL;
constexpr unsigned long k4_0_0 = 0x40000000UL;

TEST(OpenSslVersion, AnyPatchOfTheSameMinorIsFine) {
  EXPECT_EQ(OpenSslMismatch(k3_0_19, k3_0_19), "");
  EXPECT_EQ(OpenSslMismatch(k3_0_19, k3_0_2), "");  // a patch release adds no interface
  EXPECT_EQ(OpenSslMismatch(k3_0_2, k3_0_19), "");
}

TEST(OpenSslVersion, ALaterMinorIsFine) {
  EXPECT_EQ(OpenSslMismatch(k3_0_19, k3_2_0), "");
  EXPECT_EQ(OpenSslMismatch(k3_0_19, k3_5_1), "");
}

TEST(OpenSslVersion, AnEarlierMinorIsRefused) {
  const std::string why = OpenSslMismatch(k3_5_1, k3_0_19);
  EXPECT_NE(why.find("older than the 3.5"), std::string::npos) << why;
}

TEST(OpenSslVersion, AnotherMajorIsRefused) {
  std::string why = OpenSslMismatch(k3_0_19, k1_1_1w);
  EXPECT_NE(why.find("different major version than the 3.0"), std::string::npos) << why;
  why = OpenSslMismatch(k3_0_19, k4_0_0);
  EXPECT_NE(why.find("different major version"), std::string::npos) << why;
}

TEST(OpenSslVersion, ThisProcessPasses) {
  // The test binary is compiled against the system's OpenSSL headers and linked with its
  // libraries: the same release.
  const Error e = CheckProcessOpenSsl();
  EXPECT_FALSE(e) << e.message;
}

}  // namespace
}  // namespace home
