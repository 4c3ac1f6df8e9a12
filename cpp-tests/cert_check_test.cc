// The per-clone certificate check: chain to the extra CA, validity, and the host name (DNS names
// and IP addresses), with certificates made by the openssl CLI.
#include "core/cert_check.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace home {
namespace {

class CertCheckTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/home-cert-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const std::string q = " >/dev/null 2>&1";
    auto make_ca = [&](const std::string& name) {
      return "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + name + ".key -out " + name + ".pem -days 2 -subj /CN=" + name + q;
    };
    const std::string script =
        "cd " + dir_ + " && " + make_ca("ca") + " && " + make_ca("other") +
        " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost" + q +
        " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ext.cnf" +
        " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -outform DER -out server.der" + q;
    ASSERT_EQ(std::system(script.c_str()), 0);
    std::ifstream in(dir_ + "/server.der", std::ios::binary);
    der_.assign(std::istreambuf_iterator<char>(in), {});
    ASSERT_FALSE(der_.empty());
  }
  static void TearDownTestSuite() { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }

  bool Verify(const std::string& host, const std::string& ca, std::string* why) {
    return VerifyServerCertificate(reinterpret_cast<const unsigned char*>(der_.data()), der_.size(), host, ca, why);
  }

  static std::string dir_;
  static std::vector<char> der_;
};
std::string CertCheckTest::dir_;
std::vector<char> CertCheckTest::der_;

TEST_F(CertCheckTest, AcceptsTheRightCaAndName) {
  std::string why;
  EXPECT_TRUE(Verify("localhost", dir_ + "/ca.pem", &why)) << why;
  EXPECT_TRUE(Verify("127.0.0.1", dir_ + "/ca.pem", &why)) << why;
}

TEST_F(CertCheckTest, RefusesAnotherName) {
  std::string why;
  EXPECT_FALSE(Verify("example.com", dir_ + "/ca.pem", &why));
  EXPECT_NE(why.find("hostname"), std::string::npos) << why;
  EXPECT_FALSE(Verify("127.0.0.2", dir_ + "/ca.pem", &why));
}

TEST_F(CertCheckTest, RefusesAnUnknownCa) {
  std::string why;
  EXPECT_FALSE(Verify("localhost", dir_ + "/other.pem", &why));
  EXPECT_FALSE(Verify("localhost", "", &why));  // the system store does not know our test CA
  EXPECT_FALSE(Verify("localhost", dir_ + "/missing.pem", &why));
  EXPECT_NE(why.find("caFile"), std::string::npos) << why;
}

TEST_F(CertCheckTest, RefusesGarbage) {
  std::string why;
  const unsigned char junk[] = {0x30, 0x03, 0x01, 0x01, 0x00};
  EXPECT_FALSE(VerifyServerCertificate(junk, sizeof junk, "localhost", dir_ + "/ca.pem", &why));
}

}  // namespace
}  // namespace home
