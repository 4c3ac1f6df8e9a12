// How a clone turns a host name into the addresses it connects to: the system resolver below by
// default, or the worker's own lookup function when it sets clone.lookup (addon/js_lookup.h).
// Either is awaited with the clone's deadline and cancel flag.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/git/clone_budget.h"
#include "core/git/ip_address.h"
#include "core/git/pending_answer.h"

namespace home {

class HostResolver {
 public:
  virtual ~HostResolver() = default;
  // The addresses of `host` (a name: numeric hosts never get here), at least one. Returns the
  // budget's reason as soon as the budget says stop, however long the answer takes; any other
  // failure is ERR_CLONE_FAILED saying what the resolver said.
  virtual Error Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) = 0;
};

// getaddrinfo, which cannot be interrupted, on a thread of its own, never the libuv pool (whose 4
// threads the worker's fs and dns share; dns.lookup would queue there) and never the clone's: the
// clone's thread waits for the answer in ticks and leaves at the deadline or the abort. A name
// server that never answers then holds only that helper thread, for the resolver's own timeouts
// (resolv.conf: 5 s per attempt and server by default), after which it ends by itself.
class SystemResolver : public HostResolver {
 public:
  Error Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) override;
};

// The answer to one name lookup (pending_answer.h), waited for with the name it concerns.
class PendingResolution : public PendingAnswer<std::vector<IpAddress>> {
 public:
  // The answer (at least one address), the budget's reason, or ERR_CLONE_FAILED naming `host`
  // (`gone` saying why when still_possible() turned false).
  Error Wait(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out,
             const std::function<bool()>& still_possible = {}, const char* gone = "");
};

// The message of every resolution failure, whoever resolved.
Error ResolveFailure(const std::string& host, const std::string& why);

}  // namespace home
