#include "core/git/ip_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace home {

bool IpAddress::EmbeddedIpv4(IpAddress* out) const {
  if (family != AF_INET6) return false;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static constexpr uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  static constexpr uint8_t kZero[12] = {};
  const bool mapped = std::memcmp(bytes.data(), kMapped, 12) == 0;
  const bool nat64 = std::memcmp(bytes.data(), kNat64, 12) == 0;
  // ::a.b.c.d, but not :: and ::1, which are IPv6's own unspecified and loopback addresses.
  const bool compatible = std::memcmp(bytes.data(), kZero, 12) == 0 &&
                          (bytes[12] | bytes[13] | bytes[14]) != 0;
  if (!mapped && !nat64 && !compatible) return false;
  out->family = AF_INET;
  out->bytes = {};
  std::memcpy(out->bytes.data(), bytes.data() + 12, 4);
  return true;
}

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, bytes.data(), text, sizeof text) == nullptr) return "?";
  return text;
}

void IpAddress::ToSockaddr(uint16_t port, sockaddr_storage* out, socklen_t* length) const {
  std::memset(out, 0, sizeof *out);
  if (family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(out);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    std::memcpy(&v4->sin_addr, bytes.data(), 4);
    *length = sizeof *v4;
    return;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  v6->sin6_family = AF_INET6;
  v6->sin6_port = htons(port);
  std::memcpy(&v6->sin6_addr, bytes.data(), 16);
  *length = sizeof *v6;
}

bool ParseIpAddress(std::string_view text, IpAddress* out) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN || text.back() == '.') return false;
  const std::string s(text);
  IpAddress parsed;
  if (inet_pton(AF_INET6, s.c_str(), parsed.bytes.data()) == 1) {
    parsed.family = AF_INET6;
    *out = parsed;
    return true;
  }
  in_addr v4{};
  if (inet_aton(s.c_str(), &v4) == 1) {
    parsed.family = AF_INET;
    std::memcpy(parsed.bytes.data(), &v4, 4);
    *out = parsed;
    return true;
  }
  return false;
}

bool FromSockaddr(const sockaddr* address, IpAddress* out) {
  if (address->sa_family == AF_INET) {
    out->family = AF_INET;
    out->bytes = {};
    std::memcpy(out->bytes.data(), &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, 4);
    return true;
  }
  if (address->sa_family == AF_INET6) {
    out->family = AF_INET6;
    std::memcpy(out->bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
    return true;
  }
  return false;
}

namespace {

bool PrefixBitsEqual(const IpAddress& a, const IpAddress& b, int prefix) {
  const int whole = prefix / 8;
  if (std::memcmp(a.bytes.data(), b.bytes.data(), static_cast<size_t>(whole)) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a.bytes[static_cast<size_t>(whole)] & mask) == (b.bytes[static_cast<size_t>(whole)] & mask);
}

}  // namespace

bool IpNetwork::Contains(const IpAddress& address) const {
  if (address.family != base.family) return false;
  return PrefixBitsEqual(address, base, prefix);
}

std::string IpNetwork::ToString() const { return base.ToString() + "/" + std::to_string(prefix); }

bool ParseIpNetwork(std::string_view text, IpNetwork* out, std::string* why) {
  const size_t slash = text.find('/');
  const std::string address_text(text.substr(0, slash));
  IpNetwork network;
  in_addr v4{};
  if (inet_pton(AF_INET6, address_text.c_str(), network.base.bytes.data()) == 1) {
    network.base.family = AF_INET6;
  } else if (inet_pton(AF_INET, address_text.c_str(), &v4) == 1) {
    network.base.family = AF_INET;
    std::memcpy(network.base.bytes.data(), &v4, 4);
  } else {
    *why = "'" + address_text + "' is not an IPv4 address in dotted form or an IPv6 address";
    return false;
  }
  const int max_prefix = network.base.family == AF_INET ? 32 : 128;
  network.prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    int prefix = 0;
    bool valid = !digits.empty() && digits.size() <= 3;
    for (char c : digits) {
      valid = valid && c >= '0' && c <= '9';
      if (valid) prefix = prefix * 10 + (c - '0');
    }
    if (!valid || prefix > max_prefix) {
      *why = "the prefix length must be a number from 0 to " + std::to_string(max_prefix);
      return false;
    }
    network.prefix = prefix;
  }
  IpAddress cleared = network.base;
  for (int bit = network.prefix; bit < max_prefix; ++bit) {
    cleared.bytes[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (cleared.bytes != network.base.bytes) {
    *why = "host bits are set past the prefix (did you mean " + cleared.ToString() + "/" +
           std::to_string(network.prefix) + "?)";
    return false;
  }
  *out = network;
  return true;
}

}  // namespace home
