// The clone URL policy: which transports pass, which never do, and that no credential survives
// redaction wherever a URL sits inside a message.
#include "core/git/url_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace home {
namespace {

const std::vector<std::string> kAll = {"https", "http", "ssh", "git", "file"};

TEST(UrlPolicy, ClassifiesSchemes) {
  EXPECT_EQ(ClassifyUrl("https://github.com/a/b"), UrlScheme::kHttps);
  EXPECT_EQ(ClassifyUrl("HTTPS://github.com/a/b"), UrlScheme::kHttps);
  EXPECT_EQ(ClassifyUrl("http://h/a"), UrlScheme::kHttp);
  EXPECT_EQ(ClassifyUrl("ssh://git@h/a"), UrlScheme::kSsh);
  EXPECT_EQ(ClassifyUrl("git+ssh://h/a"), UrlScheme::kSsh);
  EXPECT_EQ(ClassifyUrl("git@github.com:a/b.git"), UrlScheme::kSsh);
  EXPECT_EQ(ClassifyUrl("git://h/a"), UrlScheme::kGit);
  EXPECT_EQ(ClassifyUrl("file:///srv/a"), UrlScheme::kFile);
  EXPECT_EQ(ClassifyUrl("/srv/a"), UrlScheme::kFile);
  EXPECT_EQ(ClassifyUrl("./a:b"), UrlScheme::kFile);
  EXPECT_EQ(ClassifyUrl("repo"), UrlScheme::kFile);
  // IPv6 hosts hold "::" too; only `<transport>::` at the start names a transport helper.
  EXPECT_EQ(ClassifyUrl("https://[::1]:8443/a"), UrlScheme::kHttps);
  EXPECT_EQ(ClassifyUrl("git://[::ffff:127.0.0.1]/a"), UrlScheme::kGit);
  EXPECT_EQ(ClassifyUrl("git@[::1]:a"), UrlScheme::kSsh);
}

TEST(UrlPolicy, TransportHelpersAreNeverAllowed) {
  for (const char* url : {"ext::sh -c touch% /tmp/pwned", "fd::3", "EXT::x", "foo::https://h/a",
                          "gopher://h/a", ""}) {
    const Error e = CheckUrlAllowed(url, kAll);
    EXPECT_EQ(e.code, "ERR_PROTOCOL_NOT_ALLOWED") << url;
  }
  const std::string with_nul("https://h/a\0b", 13);
  EXPECT_EQ(CheckUrlAllowed(with_nul, kAll).code, "ERR_PROTOCOL_NOT_ALLOWED");
}

TEST(UrlPolicy, AllowListIsEnforced) {
  EXPECT_TRUE(CheckUrlAllowed("https://h/a", {"https"}).ok());
  EXPECT_EQ(CheckUrlAllowed("http://h/a", {"https"}).code, "ERR_PROTOCOL_NOT_ALLOWED");
  EXPECT_EQ(CheckUrlAllowed("git@h:a/b", {"https"}).code, "ERR_PROTOCOL_NOT_ALLOWED");
  EXPECT_EQ(CheckUrlAllowed("/srv/repo", {"https", "ssh"}).code, "ERR_PROTOCOL_NOT_ALLOWED");
  EXPECT_EQ(CheckUrlAllowed("file:///srv/repo", {"https"}).code, "ERR_PROTOCOL_NOT_ALLOWED");
  EXPECT_TRUE(CheckUrlAllowed("/srv/repo", {"file"}).ok());
  const Error e = CheckUrlAllowed("http://user:s3cret@h/a", {"https"});
  EXPECT_EQ(e.message.find("s3cret"), std::string::npos);
  EXPECT_EQ(e.path, "http://***@h/a");
}

TEST(RedactUrl, RemovesUserinfoEverywhere) {
  EXPECT_EQ(RedactUrl("https://user:tok@h:8443/a.git"), "https://***@h:8443/a.git");
  EXPECT_EQ(RedactUrl("https://tok@h"), "https://***@h");
  EXPECT_EQ(RedactUrl("failed to fetch 'https://u:p@a/x' and http://v:q@b?x=1 then"),
            "failed to fetch 'https://***@a/x' and http://***@b?x=1 then");
  EXPECT_EQ(RedactUrl("no url here"), "no url here");
  EXPECT_EQ(RedactUrl("https://h/path@not-userinfo"), "https://h/path@not-userinfo");
  EXPECT_EQ(RedactUrl("x://a@b@c/d"), "x://***@c/d");  // the last '@' ends the userinfo
  EXPECT_EQ(RedactUrl("trailing://"), "trailing://");
}

TEST(RedactUrl, StripForDisk) {
  EXPECT_EQ(UrlWithoutCredentials("https://user:tok@h/a"), "https://h/a");
  EXPECT_EQ(UrlWithoutCredentials("https://h/a"), "https://h/a");
  EXPECT_EQ(UrlWithoutCredentials("git@h:a/b"), "git@h:a/b");
}

// Generated URLs: whatever the secret, it never survives.
TEST(RedactUrl, GeneratedSecretsNeverSurvive) {
  const std::string alphabet = "abcXYZ019-._~%!$&'()*+,;=:";
  for (int i = 0; i < 2000; ++i) {
    std::string secret = "S";
    for (int j = 0; j < 1 + i % 17; ++j) secret += alphabet[(i * 7 + j * 13) % alphabet.size()];
    const std::string text = "error: could not reach \"https://" + secret + "@host.example/x\" (" +
                             "retry http://" + secret + "@h)";
    const std::string redacted = RedactUrl(text);
    EXPECT_EQ(redacted.find(secret), std::string::npos) << text << " -> " << redacted;
  }
}

}  // namespace
}  // namespace home

namespace home {
namespace {

TEST(SshHost, EveryFormNamesItsHost) {
  const std::pair<const char*, const char*> cases[] = {
      {"ssh://git@github.com/x/y.git", "github.com"},
      {"ssh://git@github.com:2222/x/y.git", "github.com"},
      {"git+ssh://127.0.0.1/x", "127.0.0.1"},
      {"ssh+git://[::1]:22/x", "::1"},
      {"git@github.com:x/y.git", "github.com"},
      {"169.254.169.254:x.git", "169.254.169.254"},
      {"user@[::ffff:127.0.0.1]:x.git", "::ffff:127.0.0.1"},
  };
  for (const auto& [url, host] : cases) {
    std::string got;
    EXPECT_TRUE(SshHost(url, &got)) << url;
    EXPECT_EQ(got, host) << url;
  }
  std::string got;
  EXPECT_FALSE(SshHost("https://github.com/x", &got));
  EXPECT_FALSE(SshHost("/srv/repo", &got));
}

}  // namespace
}  // namespace home
