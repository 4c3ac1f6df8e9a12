// The network policy: which addresses a clone may connect to. The user chooses the URL and the
// worker connects from the host, as root, outside any container; left open, a URL is a way into
// the worker's loopback, the private network around it and the cloud's metadata service
// (server-side request forgery). By default a clone reaches public unicast addresses only; the
// operator allows more with CIDR networks (clone.allowedNetworks).
//
// The policy sees addresses, never names: every spelling of a host ends at the same check, and
// the check runs on the very address that is then connected (socket_stream.cc), so a name that
// resolves differently the second time (DNS rebinding) gains nothing.
#pragma once

#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/git/ip_address.h"

namespace home {

enum class AddressKind {
  kPublic,
  kUnspecified,   // 0.0.0.0/8 ("this network"), ::
  kLoopback,      // 127.0.0.0/8, ::1
  kPrivate,       // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 (site-local, deprecated)
  kLinkLocal,     // 169.254/16 (cloud metadata lives here), fe80::/10
  kSharedAddress, // 100.64/10, carrier-grade NAT
  kMulticast,     // 224/4, ff00::/8
  kBroadcast,     // 255.255.255.255
  kReserved,      // 240/4, 192.0.0/24, 198.18/15, documentation ranges, 100::/64, 2001::/23 ...
};

// "loopback", "private", "link-local", ... as errors name them ("the address is loopback").
const char* AddressKindName(AddressKind kind);

// What `address` is. An IPv6 address that carries an IPv4 one (IPv4-mapped, IPv4-compatible,
// NAT64: ip_address.h) is what the IPv4 address is, and 6to4 (2002::/16) what its embedded
// IPv4 address is: each reaches that IPv4 host.
AddressKind ClassifyAddress(const IpAddress& address);

class NetworkPolicy {
 public:
  // Public unicast only.
  NetworkPolicy() = default;
  // ERR_INVALID_ARG_TYPE naming the entry that is not a network (ip_address.h ParseIpNetwork).
  static Error Parse(const std::vector<std::string>& allowed, NetworkPolicy* out);

  // Whether a clone may connect to `address`: public, or inside an allowed network (an
  // IPv4-mapped address is matched as the IPv4 address it is). `kind` receives its class.
  bool Allows(const IpAddress& address, AddressKind* kind) const;

 private:
  std::vector<IpNetwork> allowed_;
};

// ERR_DESTINATION_NOT_ALLOWED for `host` (as the URL spells it), which resolved to `address` of
// `kind`: what the user may know (their own URL and what its name resolves to), never what
// answered there.
Error DestinationNotAllowed(const std::string& host, const IpAddress& address, AddressKind kind);

}  // namespace home
