// The TLS stream on its own, against `openssl s_server` sending leaf + intermediate: a handshake
// and an HTTP exchange over a stream it wraps (the proxy-tunnel path, which the node:test suites
// cannot reach), that stream left to its owner, and refusals with OpenSSL's reason.
#include "core/git/tls_stream.h"

#include <arpa/inet.h>
#include <git2.h>
#include <git2/sys/stream.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "core/git/git_runtime.h"
#include "core/git/socket_stream.h"
#include "core/git/tls_trust.h"
#include "test_fs.h"

namespace home {
namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

bool Listening(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return up;
}

std::string LastGitError() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? e->message : "";
}

class TlsStreamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_FALSE(EnsureGitRuntime());
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
        " && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > leaf.ext" +
        " && openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 2 -extfile leaf.ext -out leaf.pem" +
        q;
    ASSERT_EQ(std::system(script.c_str()), 0);
    port_ = FreePort();
    server_ = fork();
    ASSERT_GE(server_, 0);
    if (server_ == 0) {
      const std::string accept = "127.0.0.1:" + std::to_string(port_);
      const std::string cert = dir_ + "/leaf.pem", key = dir_ + "/leaf.key", chain = dir_ + "/int.pem";
      // -www answers GET / with a status page, one connection after another.
      execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert", cert.c_str(),
             "-key", key.c_str(), "-cert_chain", chain.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 250 && !Listening(port_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(Listening(port_)) << "openssl s_server did not start";
  }
  static void TearDownTestSuite() {
    if (server_ > 0) {
      kill(server_, SIGTERM);
      waitpid(server_, nullptr, 0);
    }
    delete scratch_;
    scratch_ = nullptr;
  }

  // A connected socket stream to the server; the caller owns it. Connected inside a transfer scope
  // that allows loopback: outside one, a stream reaches public addresses only.
  static git_stream* Tcp() {
    static const NetworkAccess loopback = [] {
      NetworkAccess access;
      (void)NetworkPolicy::Parse({"127.0.0.0/8"}, &access.policy);
      return access;
    }();
    CloneBudget budget(CloneLimits{}, CancelFlag(), "tls test");
    const TransferScope scope(budget, loopback);
    git_stream* tcp = nullptr;
    if (NewSocketStream(&tcp, "127.0.0.1", std::to_string(port_).c_str()) != 0) return nullptr;
    if (tcp->connect(tcp) != 0) {
      tcp->free(tcp);
      return nullptr;
    }
    return tcp;
  }

  static home::test::ScratchDir* scratch_;
  static std::string dir_;
  static int port_;
  static pid_t server_;
};
std::string TlsStreamTest::dir_;
home::test::ScratchDir* TlsStreamTest::scratch_ = nullptr;
int TlsStreamTest::port_ = 0;
pid_t TlsStreamTest::server_ = -1;

TEST_F(TlsStreamTest, WrapsAConnectedStreamAndLeavesItToItsOwner) {
  git_stream* tcp = Tcp();
  ASSERT_NE(tcp, nullptr) << LastGitError();
  const TlsTrustScope trust(dir_ + "/root.pem");
  git_stream* tls = nullptr;
  ASSERT_EQ(WrapTlsStream(&tls, tcp, "localhost"), 0);
  EXPECT_TRUE(tls->encrypted);
  ASSERT_EQ(tls->connect(tls), 0) << LastGitError();
  const std::string request = "GET / HTTP/1.0\r\n\r\n";
  ASSERT_EQ(tls->write(tls, request.data(), request.size(), 0), static_cast<ssize_t>(request.size())) << LastGitError();
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = tls->read(tls, buf, sizeof buf)) > 0;) response.append(buf, static_cast<size_t>(n));
  EXPECT_EQ(response.rfind("HTTP/1.0 200 ok", 0), 0u) << response.substr(0, 200);
  EXPECT_EQ(tls->close(tls), 0);
  tls->free(tls);
  // Still the owner's: closing and freeing it here is the only close and free (ASan would see a
  // second one).
  EXPECT_EQ(tcp->close(tcp), 0);
  tcp->free(tcp);
}

TEST_F(TlsStreamTest, TheAddressIsCheckedAgainstTheCertificatesIpNames) {
  const TlsTrustScope trust(dir_ + "/root.pem");
  for (const char* host : {"127.0.0.1", "127.0.0.2"}) {
    git_stream* tcp = Tcp();
    ASSERT_NE(tcp, nullptr) << LastGitError();
    git_stream* tls = nullptr;
    ASSERT_EQ(WrapTlsStream(&tls, tcp, host), 0);
    const int rc = tls->connect(tls);
    if (std::string(host) == "127.0.0.1") {
      EXPECT_EQ(rc, 0) << LastGitError();
    } else {
      EXPECT_EQ(rc, GIT_ECERTIFICATE);
      EXPECT_NE(LastGitError().find("TLS certificate of 127.0.0.2 rejected: IP address mismatch"), std::string::npos)
          << LastGitError();
    }
    tls->close(tls);
    tls->free(tls);
    tcp->close(tcp);
    tcp->free(tcp);
  }
}

TEST_F(TlsStreamTest, WithoutTheRootTheChainIsRefusedWithOpenSslsReason) {
  git_stream* tcp = Tcp();
  ASSERT_NE(tcp, nullptr) << LastGitError();
  git_stream* tls = nullptr;
  ASSERT_EQ(WrapTlsStream(&tls, tcp, "localhost"), 0);
  EXPECT_EQ(tls->connect(tls), GIT_ECERTIFICATE);
  EXPECT_NE(LastGitError().find("TLS certificate of localhost rejected: unable to get local issuer certificate"),
            std::string::npos)
      << LastGitError();
  tls->close(tls);
  tls->free(tls);
  tcp->close(tcp);
  tcp->free(tcp);
}

}  // namespace
}  // namespace home
