// IP addresses and networks as the network policy sees them: one 16-byte form for both families
// (an IPv4 address is kept as itself, never as its IPv4-mapped IPv6 twin, so that a CIDR written
// for IPv4 matches it), parsed only from numeric text.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace home {

struct IpAddress {
  int family = AF_UNSPEC;            // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};   // network order; IPv4 uses the first 4

  size_t size() const { return family == AF_INET ? 4 : 16; }
  // The IPv4 address an IPv6 one carries in its last 4 bytes, when its form says it does:
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated but still routed by
  // some stacks), NAT64 (64:ff9b::a.b.c.d). False for IPv4 addresses and other IPv6 ones.
  bool EmbeddedIpv4(IpAddress* out) const;
  std::string ToString() const;
  // For connect(); `port` in host order.
  void ToSockaddr(uint16_t port, sockaddr_storage* out, socklen_t* length) const;
};

// A numeric IPv6 address (inet_pton, brackets not allowed), or an IPv4 address in any spelling
// inet_aton accepts (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`): the spellings a URL's
// host may take that the resolver would turn into an address without asking anyone. A trailing
// dot is not an address (`localhost.` is a name). False for names.
bool ParseIpAddress(std::string_view text, IpAddress* out);

// From what getaddrinfo or accept return; false for other families.
bool FromSockaddr(const sockaddr* address, IpAddress* out);

struct IpNetwork {
  IpAddress base;   // with the bits past the prefix cleared
  int prefix = 0;   // 0..32 or 0..128

  bool Contains(const IpAddress& address) const;
  std::string ToString() const;
};

// "10.20.0.0/16", "fd00::/8", or a bare address (one host: /32 or /128). Strict: IPv4 in dotted
// quad form only, the prefix in range, no host bits set past it (`10.0.0.1/8` is a typo for
// `10.0.0.0/8` more often than not; refusing it keeps a list honest). On failure `why` says what
// is wrong.
bool ParseIpNetwork(std::string_view text, IpNetwork* out, std::string* why);

}  // namespace home
