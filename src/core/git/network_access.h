// What one clone may reach on the network: the policy (address_policy.h), the resolver it asks
// (host_resolver.h) and the operator's proxy. Every connection the clone's streams open gets its
// addresses here, so that no address is connected that the policy has not seen.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/git/address_policy.h"
#include "core/git/clone_budget.h"
#include "core/git/host_resolver.h"

namespace home {

// Whether two host names are the same host: DNS names compare without regard to case.
bool SameHost(const std::string& a, const std::string& b);

struct NetworkAccess {
  NetworkPolicy policy;
  std::shared_ptr<HostResolver> resolver;  // null: SystemResolver
  // The operator's proxy (HTTPS_PROXY and friends), as libgit2 will connect to it. The operator
  // chose it, so it is exempt from the policy (it is usually on a private network); the targets
  // reached through it are checked by name instead (CheckTargetHost).
  std::string proxy_host, proxy_port;
  // A plain http:// URL through the proxy: libgit2 (1.9) writes the proxy's absolute-form requests
  // but connects to the server itself, so our stream connects to the proxy in its place.
  bool forward_plain_http = false;

  bool IsProxy(const std::string& host, const std::string& port) const;
};

// The addresses to connect to for `host`:`port`: a numeric host (any spelling inet_aton takes)
// as it is, a name through the resolver, each checked by the policy unless this is the proxy.
// One refused address refuses the host (ERR_DESTINATION_NOT_ALLOWED): a name that resolves to
// both a public and a private address is not one to trust with either.
Error ConnectableAddresses(const NetworkAccess& access, CloneBudget& budget, const std::string& host,
                           const std::string& port, std::vector<IpAddress>* out);

// For a connection the clone does not open itself (through a proxy, which resolves the name
// again; over ssh, which runs the ssh binary): `host`'s addresses as the policy sees them now.
// As far as a check can go without holding the connection: DNS rebinding between this check and
// the other side's own resolution is out of its reach (docs/guarantees.md).
Error CheckTargetHost(const NetworkAccess& access, CloneBudget& budget, const std::string& host);

}  // namespace home
