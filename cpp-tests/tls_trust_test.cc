// The stores HTTPS connections verify against: the system's, a clone's own (system + caFile), and
// which one a thread's connections get. Checked the way a handshake checks: X509_verify_cert of
// a leaf, with the intermediate as the server would send it, against the store. Certificates
// come from the openssl CLI.
#include "core/git/tls_trust.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "test_fs.h"

namespace home {
namespace {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr ReadPem(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"), std::fclose);
  if (!file) return X509Ptr();
  return X509Ptr(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
}

class TlsTrustTest : public ::testing::Test {
 protected:
  // root -> intermediate -> leaf (DNS:localhost), as test/helpers/servers.mjs makes them.
  static void SetUpTestSuite() {
    scratch_ = new home::test::ScratchDir();
    dir_ = scratch_->path();
    const std::string q = " >/dev/null 2>&1";
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const std::string script =
        "cd " + dir_ + " && openssl req -x509" + ec + " -keyout root.key -out root.pem -days 2 -subj /CN=root" + q +
        " && openssl req" + ec + " -keyout int.key -out int.csr -subj /CN=intermediate" + q +
        " && printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' > int.ext" +
        " && openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days 2 -extfile int.ext -out int.pem" +
        q + " && openssl req" + ec + " -keyout leaf.key -out leaf.csr -subj /CN=localhost" + q +
        " && printf 'subjectAltName=DNS:localhost\\n' > leaf.ext" +
        " && openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 2 -extfile leaf.ext -out leaf.pem" +
        q + " && echo 'not a certificate' > junk.pem";
    ASSERT_EQ(std::system(script.c_str()), 0);
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  // X509_verify_cert of the leaf, the intermediate passed as the server would send it.
  static bool Verifies(X509_STORE* store) {
    X509Ptr leaf = ReadPem(dir_ + "/leaf.pem");
    X509Ptr intermediate = ReadPem(dir_ + "/int.pem");
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(sk_X509_new_null(),
                                                                          [](STACK_OF(X509)* s) { sk_X509_free(s); });
    sk_X509_push(untrusted.get(), intermediate.get());
    std::unique_ptr<X509_STORE_CTX, void (*)(X509_STORE_CTX*)> ctx(X509_STORE_CTX_new(), X509_STORE_CTX_free);
    if (X509_STORE_CTX_init(ctx.get(), store, leaf.get(), untrusted.get()) != 1) return false;
    return X509_verify_cert(ctx.get()) == 1;
  }

  static home::test::ScratchDir* scratch_;
  static std::string dir_;
};
std::string TlsTrustTest::dir_;
home::test::ScratchDir* TlsTrustTest::scratch_ = nullptr;

TEST_F(TlsTrustTest, TheSystemStoreLoadsAndDoesNotKnowTheTestRoot) {
  X509StorePtr system;
  const Error e = SystemTrust(&system);
  ASSERT_FALSE(e) << e.message;
  ASSERT_TRUE(system);
  // Debian's ca-certificates bundle: well over a hundred CAs (bootstrap installs it).
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> certs(
      X509_STORE_get1_all_certs(system.get()), [](STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); });
  EXPECT_GT(sk_X509_num(certs.get()), 100);
  EXPECT_FALSE(Verifies(system.get()));
}

TEST_F(TlsTrustTest, ACaFileWithOnlyTheRootVerifiesTheChainTheServerSends) {
  X509StorePtr store;
  const Error e = TrustWithCaFile(dir_ + "/root.pem", &store);
  ASSERT_FALSE(e) << e.message;
  EXPECT_TRUE(Verifies(store.get()));
  // The system's CAs are in it too.
  X509StorePtr system;
  ASSERT_FALSE(SystemTrust(&system));
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> all(
      X509_STORE_get1_all_certs(store.get()), [](STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); });
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> base(
      X509_STORE_get1_all_certs(system.get()), [](STACK_OF(X509)* s) { sk_X509_pop_free(s, X509_free); });
  EXPECT_EQ(sk_X509_num(all.get()), sk_X509_num(base.get()) + 1);
  // And the system store did not gain the root.
  EXPECT_FALSE(Verifies(system.get()));
}

TEST_F(TlsTrustTest, ACaFileWithoutCertificatesOrMissingIsAnErrorNamingIt) {
  X509StorePtr store;
  Error e = TrustWithCaFile(dir_ + "/junk.pem", &store);
  EXPECT_EQ(e.code, "ERR_CLONE_FAILED");
  EXPECT_NE(e.message.find("caFile " + dir_ + "/junk.pem could not be loaded: no certificate"), std::string::npos)
      << e.message;
  e = TrustWithCaFile(dir_ + "/missing.pem", &store);
  EXPECT_EQ(e.code, "ERR_CLONE_FAILED");
  EXPECT_NE(e.message.find("No such file or directory"), std::string::npos) << e.message;
  EXPECT_EQ(e.path, dir_ + "/missing.pem");
}

TEST_F(TlsTrustTest, AThreadsScopeDecidesItsConnectionsTrust) {
  X509StorePtr system, outside, inside, nested, after;
  ASSERT_FALSE(SystemTrust(&system));
  ASSERT_FALSE(TlsTrustScope::CurrentStore(&outside));
  EXPECT_EQ(outside.get(), system.get());
  {
    TlsTrustScope scope(dir_ + "/root.pem");
    ASSERT_FALSE(TlsTrustScope::CurrentStore(&inside));
    EXPECT_TRUE(Verifies(inside.get()));
    X509StorePtr again;
    ASSERT_FALSE(TlsTrustScope::CurrentStore(&again));
    EXPECT_EQ(again.get(), inside.get()) << "built once per scope";
    {
      TlsTrustScope none("");
      ASSERT_FALSE(TlsTrustScope::CurrentStore(&nested));
      EXPECT_EQ(nested.get(), system.get());
    }
    // Another thread, at the same time, outside any scope: the system store.
    X509_STORE* seen = nullptr;
    std::thread([&] {
      X509StorePtr other;
      if (!TlsTrustScope::CurrentStore(&other)) seen = other.get();
    }).join();
    EXPECT_EQ(seen, system.get());
  }
  ASSERT_FALSE(TlsTrustScope::CurrentStore(&after));
  EXPECT_EQ(after.get(), system.get());
}

}  // namespace
}  // namespace home
