#include "core/git/address_policy.h"

#include <cstdint>

namespace home {
namespace {

struct Range {
  const char* network;
  AddressKind kind;
};

// IANA's special-purpose registries (RFC 6890 and its updates), reduced to what matters here:
// anything not globally reachable is not public. Order: the first match wins, so a narrower
// range comes before a wider one that holds it.
constexpr Range kIpv4Ranges[] = {
    {"0.0.0.0/8", AddressKind::kUnspecified},
    {"10.0.0.0/8", AddressKind::kPrivate},
    {"100.64.0.0/10", AddressKind::kSharedAddress},
    {"127.0.0.0/8", AddressKind::kLoopback},
    {"169.254.0.0/16", AddressKind::kLinkLocal},
    {"172.16.0.0/12", AddressKind::kPrivate},
    {"192.0.0.0/24", AddressKind::kReserved},     // IETF protocol assignments
    {"192.0.2.0/24", AddressKind::kReserved},     // documentation
    {"192.88.99.0/24", AddressKind::kReserved},   // 6to4 relay anycast, deprecated
    {"192.168.0.0/16", AddressKind::kPrivate},
    {"198.18.0.0/15", AddressKind::kReserved},    // benchmarking
    {"198.51.100.0/24", AddressKind::kReserved},  // documentation
    {"203.0.113.0/24", AddressKind::kReserved},   // documentation
    {"224.0.0.0/4", AddressKind::kMulticast},
    {"255.255.255.255/32", AddressKind::kBroadcast},
    {"240.0.0.0/4", AddressKind::kReserved},
};

constexpr Range kIpv6Ranges[] = {
    {"::/128", AddressKind::kUnspecified},
    {"::1/128", AddressKind::kLoopback},
    {"100::/64", AddressKind::kReserved},        // discard-only
    {"2001::/23", AddressKind::kReserved},       // IETF protocol assignments (Teredo among them)
    {"2001:db8::/32", AddressKind::kReserved},   // documentation
    {"fc00::/7", AddressKind::kPrivate},         // unique local
    {"fe80::/10", AddressKind::kLinkLocal},
    {"fec0::/10", AddressKind::kPrivate},        // site-local, deprecated
    {"ff00::/8", AddressKind::kMulticast},
};

struct ParsedRange {
  IpNetwork network;
  AddressKind kind;
};

template <size_t N>
std::vector<ParsedRange> ParseTable(const Range (&table)[N]) {
  std::vector<ParsedRange> parsed;
  for (const Range& range : table) {
    ParsedRange p{{}, range.kind};
    std::string why;
    // The table is ours and fixed: a failure here is caught by the classifier's tests.
    if (ParseIpNetwork(range.network, &p.network, &why)) parsed.push_back(p);
  }
  return parsed;
}

const std::vector<ParsedRange>& Ipv4Ranges() {
  static const std::vector<ParsedRange> ranges = ParseTable(kIpv4Ranges);
  return ranges;
}

const std::vector<ParsedRange>& Ipv6Ranges() {
  static const std::vector<ParsedRange> ranges = ParseTable(kIpv6Ranges);
  return ranges;
}

// 2002:AABB:CCDD::/48 routes to the IPv4 host AA.BB.CC.DD.
bool SixToFourIpv4(const IpAddress& address, IpAddress* out) {
  if (address.family != AF_INET6 || address.bytes[0] != 0x20 || address.bytes[1] != 0x02) return false;
  out->family = AF_INET;
  out->bytes = {};
  for (size_t i = 0; i < 4; ++i) out->bytes[i] = address.bytes[2 + i];
  return true;
}

// The address the policy judges: the IPv4 host an IPv6 form leads to, else the address itself.
IpAddress Effective(const IpAddress& address) {
  IpAddress v4;
  if (address.EmbeddedIpv4(&v4) || SixToFourIpv4(address, &v4)) return v4;
  return address;
}

}  // namespace

const char* AddressKindName(AddressKind kind) {
  switch (kind) {
    case AddressKind::kPublic: return "public";
    case AddressKind::kUnspecified: return "unspecified";
    case AddressKind::kLoopback: return "loopback";
    case AddressKind::kPrivate: return "private";
    case AddressKind::kLinkLocal: return "link-local";
    case AddressKind::kSharedAddress: return "shared (carrier-grade NAT)";
    case AddressKind::kMulticast: return "multicast";
    case AddressKind::kBroadcast: return "broadcast";
    case AddressKind::kReserved: return "reserved";
  }
  return "reserved";
}

AddressKind ClassifyAddress(const IpAddress& address) {
  const IpAddress effective = Effective(address);
  const auto& ranges = effective.family == AF_INET ? Ipv4Ranges() : Ipv6Ranges();
  for (const ParsedRange& range : ranges) {
    if (range.network.Contains(effective)) return range.kind;
  }
  return AddressKind::kPublic;
}

Error NetworkPolicy::Parse(const std::vector<std::string>& allowed, NetworkPolicy* out) {
  NetworkPolicy policy;
  for (const std::string& entry : allowed) {
    IpNetwork network;
    std::string why;
    if (!ParseIpNetwork(entry, &network, &why)) {
      return MakeError("ERR_INVALID_ARG_TYPE", "allowedNetworks: '" + entry + "' is not a network: " + why);
    }
    policy.allowed_.push_back(network);
  }
  *out = std::move(policy);
  return {};
}

bool NetworkPolicy::Allows(const IpAddress& address, AddressKind* kind) const {
  *kind = ClassifyAddress(address);
  if (*kind == AddressKind::kPublic) return true;
  // An allowed network matches the address as written and the IPv4 host it leads to, so that
  // `127.0.0.0/8` lets `::ffff:127.0.0.1` through as well.
  const IpAddress effective = Effective(address);
  for (const IpNetwork& network : allowed_) {
    if (network.Contains(address) || network.Contains(effective)) return true;
  }
  return false;
}

Error DestinationNotAllowed(const std::string& host, const IpAddress& address, AddressKind kind) {
  const std::string shown = host == address.ToString() ? host : host + " (" + address.ToString() + ")";
  return MakeError("ERR_DESTINATION_NOT_ALLOWED",
                   "refusing to connect to " + shown + ": the address is " + AddressKindName(kind) +
                       "; clones reach public addresses only unless clone.allowedNetworks allows more");
}

}  // namespace home
