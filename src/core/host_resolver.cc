#include "core/host_resolver.h"

#include <netdb.h>

#include <memory>

namespace home {

Error ResolveFailure(const std::string& host, const std::string& why) {
  return MakeError("ERR_CLONE_FAILED", "failed to resolve address for " + host + ": " + why);
}

Error SystemResolver::Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  if (const Error& stop = budget.Check()) return stop;
  if (rc != 0) return ResolveFailure(host, gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(raw, freeaddrinfo);
  for (const addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
    IpAddress address;
    if (FromSockaddr(a->ai_addr, &address)) out->push_back(address);
  }
  if (out->empty()) return ResolveFailure(host, "no address");
  return {};
}

}  // namespace home
