// How a clone turns a host name into the addresses it connects to. The addon resolves through the
// worker's own lookup (clone.lookup, dns.lookup by default: addon/js_lookup.h), awaited with the
// clone's deadline and cancel flag; C++ callers may use the system resolver below.
#pragma once

#include <string>
#include <vector>

#include "core/clone_budget.h"
#include "core/error.h"
#include "core/ip_address.h"

namespace home {

class HostResolver {
 public:
  virtual ~HostResolver() = default;
  // The addresses of `host` (a name: numeric hosts never get here), at least one. Returns the
  // budget's reason as soon as the budget says stop, however long the answer takes; any other
  // failure is ERR_CLONE_FAILED saying what the resolver said.
  virtual Error Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) = 0;
};

// getaddrinfo on the calling thread. It cannot be interrupted: a name server that never answers
// holds the thread for the resolver's own timeouts (resolv.conf), past any deadline of ours.
class SystemResolver : public HostResolver {
 public:
  Error Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) override;
};

// The message of every resolution failure, whoever resolved.
Error ResolveFailure(const std::string& host, const std::string& why);

}  // namespace home
