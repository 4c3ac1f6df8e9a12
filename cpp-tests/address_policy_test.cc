// The network policy's classifier against a table of addresses of every class, in every spelling
// that reaches it; the allow-list; and the refusal's wording. Only loopback is ever a real target
// on test machines, so every other class is proven here, without a connection.
#include "core/git/address_policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/git/network_access.h"

namespace home {
namespace {

IpAddress Parse(const std::string& text) {
  IpAddress address;
  EXPECT_TRUE(ParseIpAddress(text, &address)) << text;
  return address;
}

struct Row {
  const char* address;
  AddressKind kind;
};

// Each special range at its edges and inside, with its IPv6 forms (mapped, compatible, NAT64,
// 6to4), and public addresses just outside each range.
const Row kTable[] = {
    {"0.0.0.0", AddressKind::kUnspecified},
    {"0.255.255.255", AddressKind::kUnspecified},
    {"::", AddressKind::kUnspecified},
    {"127.0.0.1", AddressKind::kLoopback},
    {"127.255.255.254", AddressKind::kLoopback},
    {"::1", AddressKind::kLoopback},
    {"::ffff:127.0.0.1", AddressKind::kLoopback},
    {"::127.0.0.1", AddressKind::kLoopback},
    {"64:ff9b::127.0.0.1", AddressKind::kLoopback},
    {"2002:7f00:1::", AddressKind::kLoopback},
    {"10.0.0.0", AddressKind::kPrivate},
    {"10.255.255.255", AddressKind::kPrivate},
    {"172.16.0.1", AddressKind::kPrivate},
    {"172.31.255.255", AddressKind::kPrivate},
    {"192.168.1.1", AddressKind::kPrivate},
    {"::ffff:10.1.2.3", AddressKind::kPrivate},
    {"::ffff:192.168.0.1", AddressKind::kPrivate},
    {"fc00::1", AddressKind::kPrivate},
    {"fdff:ffff::1", AddressKind::kPrivate},
    {"fec0::1", AddressKind::kPrivate},
    {"169.254.169.254", AddressKind::kLinkLocal},
    {"::ffff:169.254.169.254", AddressKind::kLinkLocal},
    {"fe80::1", AddressKind::kLinkLocal},
    {"febf::1", AddressKind::kLinkLocal},
    {"100.64.0.1", AddressKind::kSharedAddress},
    {"100.127.255.255", AddressKind::kSharedAddress},
    {"224.0.0.1", AddressKind::kMulticast},
    {"239.255.255.255", AddressKind::kMulticast},
    {"ff02::1", AddressKind::kMulticast},
    {"::ffff:224.0.0.251", AddressKind::kMulticast},
    {"255.255.255.255", AddressKind::kBroadcast},
    {"240.0.0.1", AddressKind::kReserved},
    {"192.0.2.1", AddressKind::kReserved},
    {"198.18.0.1", AddressKind::kReserved},
    {"2001:db8::1", AddressKind::kReserved},
    {"100::1", AddressKind::kReserved},
    // Public, each just outside a special range.
    {"1.1.1.1", AddressKind::kPublic},
    {"9.255.255.255", AddressKind::kPublic},
    {"11.0.0.0", AddressKind::kPublic},
    {"100.63.255.255", AddressKind::kPublic},
    {"100.128.0.0", AddressKind::kPublic},
    {"126.255.255.255", AddressKind::kPublic},
    {"128.0.0.0", AddressKind::kPublic},
    {"169.253.255.255", AddressKind::kPublic},
    {"172.15.255.255", AddressKind::kPublic},
    {"172.32.0.0", AddressKind::kPublic},
    {"192.167.255.255", AddressKind::kPublic},
    {"192.169.0.0", AddressKind::kPublic},
    {"223.255.255.255", AddressKind::kPublic},
    {"140.82.112.3", AddressKind::kPublic},
    {"::ffff:140.82.112.3", AddressKind::kPublic},
    {"2606:4700::1111", AddressKind::kPublic},
    {"2a00:1450:4001::1", AddressKind::kPublic},
    {"fbff::1", AddressKind::kPublic},
};

TEST(AddressPolicy, ClassifiesEveryRangeAndItsIpv6Forms) {
  for (const Row& row : kTable) {
    EXPECT_STREQ(AddressKindName(ClassifyAddress(Parse(row.address))), AddressKindName(row.kind)) << row.address;
  }
}

TEST(AddressPolicy, EverySpellingInetAtonAcceptsIsTheSameAddress) {
  for (const char* spelling : {"127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.1", "127.0.1"}) {
    IpAddress address;
    ASSERT_TRUE(ParseIpAddress(spelling, &address)) << spelling;
    EXPECT_EQ(address.ToString(), "127.0.0.1") << spelling;
    EXPECT_EQ(ClassifyAddress(address), AddressKind::kLoopback) << spelling;
  }
  // Names are not addresses: they go to the resolver, whose answer is checked the same way.
  for (const char* name : {"localhost", "localhost.", "127.0.0.1.", "git.example.com", "", "[::1]"}) {
    IpAddress address;
    EXPECT_FALSE(ParseIpAddress(name, &address)) << name;
  }
}

TEST(AddressPolicy, DefaultAllowsPublicOnly) {
  const NetworkPolicy policy;
  for (const Row& row : kTable) {
    AddressKind kind;
    EXPECT_EQ(policy.Allows(Parse(row.address), &kind), row.kind == AddressKind::kPublic) << row.address;
  }
}

TEST(AddressPolicy, AllowedNetworksLetExactlyTheirAddressesThrough) {
  NetworkPolicy policy;
  ASSERT_TRUE(NetworkPolicy::Parse({"10.20.0.0/16", "127.0.0.0/8", "fd00:1::/32"}, &policy).ok());
  AddressKind kind;
  EXPECT_TRUE(policy.Allows(Parse("10.20.3.4"), &kind));
  EXPECT_EQ(kind, AddressKind::kPrivate);
  EXPECT_FALSE(policy.Allows(Parse("10.21.0.1"), &kind));
  EXPECT_TRUE(policy.Allows(Parse("127.0.0.1"), &kind));
  EXPECT_TRUE(policy.Allows(Parse("::ffff:127.0.0.1"), &kind)) << "an IPv4 network covers the mapped form";
  EXPECT_FALSE(policy.Allows(Parse("::1"), &kind)) << "IPv6 loopback is not in 127.0.0.0/8";
  EXPECT_TRUE(policy.Allows(Parse("fd00:1:ffff::1"), &kind));
  EXPECT_FALSE(policy.Allows(Parse("fd00:2::1"), &kind));
  EXPECT_FALSE(policy.Allows(Parse("169.254.169.254"), &kind));
  EXPECT_EQ(kind, AddressKind::kLinkLocal);
}

TEST(AddressPolicy, MalformedNetworksAreRefusedNamingTheEntry) {
  for (const char* bad : {"10.0.0.1/8", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "127.1/8", "localhost",
                          "10.0.0.0/8/8", "", "fe80::/-1"}) {
    NetworkPolicy policy;
    const Error e = NetworkPolicy::Parse({"127.0.0.0/8", bad}, &policy);
    EXPECT_EQ(e.code, "ERR_INVALID_ARG_TYPE") << bad;
    EXPECT_NE(e.message.find(std::string("'") + bad + "'"), std::string::npos) << e.message;
  }
  NetworkPolicy policy;
  EXPECT_TRUE(NetworkPolicy::Parse({"0.0.0.0/0", "::/0", "192.168.1.7"}, &policy).ok());
}

TEST(AddressPolicy, RefusalNamesHostAndKindNotWhatAnswered) {
  const Error e = DestinationNotAllowed("metadata.internal", Parse("169.254.169.254"), AddressKind::kLinkLocal);
  EXPECT_EQ(e.code, "ERR_DESTINATION_NOT_ALLOWED");
  EXPECT_NE(e.message.find("metadata.internal (169.254.169.254)"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("link-local"), std::string::npos) << e.message;
}

// A resolver that answers from a table: the policy must judge whatever a resolver answers.
class TableResolver : public HostResolver {
 public:
  explicit TableResolver(std::vector<std::string> answer) : answer_(std::move(answer)) {}
  Error Resolve(const std::string&, CloneBudget&, std::vector<IpAddress>* out) override {
    ++calls;
    for (const std::string& a : answer_) out->push_back(Parse(a));
    return {};
  }
  int calls = 0;

 private:
  std::vector<std::string> answer_;
};

TEST(NetworkAccess, OneRefusedAddressRefusesTheHost) {
  NetworkAccess access;
  auto resolver = std::make_shared<TableResolver>(std::vector<std::string>{"140.82.112.3", "10.0.0.5"});
  access.resolver = resolver;
  CloneBudget budget(CloneLimits{}, CancelFlag(), "test");
  std::vector<IpAddress> out;
  const Error e = ConnectableAddresses(access, budget, "git.example.com", "443", &out);
  EXPECT_EQ(e.code, "ERR_DESTINATION_NOT_ALLOWED");
  EXPECT_NE(e.message.find("private"), std::string::npos) << e.message;
}

TEST(NetworkAccess, NumericHostsNeverReachTheResolver) {
  NetworkAccess access;
  auto resolver = std::make_shared<TableResolver>(std::vector<std::string>{"140.82.112.3"});
  access.resolver = resolver;
  CloneBudget budget(CloneLimits{}, CancelFlag(), "test");
  for (const char* host : {"127.1", "2130706433", "::ffff:127.0.0.1", "0.0.0.0", "::"}) {
    std::vector<IpAddress> out;
    EXPECT_EQ(ConnectableAddresses(access, budget, host, "443", &out).code, "ERR_DESTINATION_NOT_ALLOWED") << host;
  }
  EXPECT_EQ(resolver->calls, 0);
  std::vector<IpAddress> out;
  EXPECT_TRUE(ConnectableAddresses(access, budget, "git.example.com", "443", &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(resolver->calls, 1);
}

TEST(NetworkAccess, TheOperatorsProxyIsExemptItsTargetsAreNot) {
  NetworkAccess access;
  access.proxy_host = "10.0.0.8";
  access.proxy_port = "3128";
  CloneBudget budget(CloneLimits{}, CancelFlag(), "test");
  std::vector<IpAddress> out;
  EXPECT_TRUE(ConnectableAddresses(access, budget, "10.0.0.8", "3128", &out).ok());
  out.clear();
  EXPECT_EQ(ConnectableAddresses(access, budget, "10.0.0.8", "80", &out).code, "ERR_DESTINATION_NOT_ALLOWED")
      << "another port of the proxy's host is not the proxy";
  EXPECT_EQ(CheckTargetHost(access, budget, "127.0.0.1").code, "ERR_DESTINATION_NOT_ALLOWED");
}

TEST(NetworkAccess, AResolverIsAskedOnlyWhileTheBudgetAllows) {
  NetworkAccess access;
  CancelFlag cancel;
  CloneBudget budget(CloneLimits{}, cancel, "test");
  cancel.Cancel();
  std::vector<IpAddress> out;
  // The system resolver answers "localhost" at once; the cancelled budget still wins.
  EXPECT_EQ(ConnectableAddresses(access, budget, "localhost", "443", &out).code, "ERR_ABORTED");
}

}  // namespace
}  // namespace home
