#include "core/git/network_access.h"

#include <cctype>

namespace home {
bool SameHost(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

namespace {

Error Resolve(const NetworkAccess& access, CloneBudget& budget, const std::string& host, std::vector<IpAddress>* out) {
  IpAddress literal;
  if (ParseIpAddress(host, &literal)) {
    out->push_back(literal);
    return {};
  }
  // A stopped clone asks nobody: the resolvers only look at the budget while they wait.
  if (const Error& stop = budget.Check()) return stop;
  if (access.resolver) return access.resolver->Resolve(host, budget, out);
  SystemResolver system;
  return system.Resolve(host, budget, out);
}

Error CheckAll(const NetworkAccess& access, const std::string& host, const std::vector<IpAddress>& addresses) {
  for (const IpAddress& address : addresses) {
    AddressKind kind;
    if (!access.policy.Allows(address, &kind)) return DestinationNotAllowed(host, address, kind);
  }
  return {};
}

}  // namespace

bool NetworkAccess::IsProxy(const std::string& host, const std::string& port) const {
  return !proxy_host.empty() && port == proxy_port && SameHost(host, proxy_host);
}

Error ConnectableAddresses(const NetworkAccess& access, CloneBudget& budget, const std::string& host,
                           const std::string& port, std::vector<IpAddress>* out) {
  if (Error e = Resolve(access, budget, host, out)) return e;
  if (access.IsProxy(host, port)) return {};
  return CheckAll(access, host, *out);
}

Error CheckTargetHost(const NetworkAccess& access, CloneBudget& budget, const std::string& host) {
  std::vector<IpAddress> addresses;
  if (Error e = Resolve(access, budget, host, &addresses)) return e;
  return CheckAll(access, host, addresses);
}

}  // namespace home
