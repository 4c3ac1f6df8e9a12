// FindTrustStore: the operator's variables win; otherwise a bundle that exists on this machine.
#include "core/git/trust_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <optional>
#include <string>

namespace home {
namespace {

// Sets or unsets one environment variable for a test's duration, restoring it afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(TrustStore, SslCertFileAndDirWinAsGiven) {
  ScopedEnv file("SSL_CERT_FILE", "/nonexistent/operator-bundle.pem");
  ScopedEnv dir("SSL_CERT_DIR", "/nonexistent/operator-dir");
  const TrustStore store = FindTrustStore();
  EXPECT_EQ(store.file, "/nonexistent/operator-bundle.pem");
  EXPECT_EQ(store.dir, "/nonexistent/operator-dir");
}

TEST(TrustStore, OnlyTheDirectoryWhenOnlyItIsSet) {
  ScopedEnv file("SSL_CERT_FILE", nullptr);
  ScopedEnv dir("SSL_CERT_DIR", "/etc/ssl/certs");
  const TrustStore store = FindTrustStore();
  EXPECT_EQ(store.file, "");
  EXPECT_EQ(store.dir, "/etc/ssl/certs");
}

TEST(TrustStore, EmptyVariablesCountAsUnsetAndAnExistingBundleIsFound) {
  ScopedEnv file("SSL_CERT_FILE", "");
  ScopedEnv dir("SSL_CERT_DIR", nullptr);
  const TrustStore store = FindTrustStore();
  // The machines this runs on (Debian with ca-certificates) have the first candidate.
  ASSERT_FALSE(store.empty());
  EXPECT_EQ(store.dir, "");
  struct stat st;
  ASSERT_EQ(stat(store.file.c_str(), &st), 0) << store.file;
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

}  // namespace
}  // namespace home
