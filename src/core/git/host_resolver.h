// How a clone turns a host name into the addresses it connects to: the system resolver below by
// default, or the worker's own lookup function when it sets clone.lookup (addon/js_lookup.h).
// Either is awaited with the clone's deadline and cancel flag.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/error.h"
#include "core/git/clone_budget.h"
#include "core/git/ip_address.h"

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

// An answer one thread gives and the clone's thread waits for: the system resolver's helper
// thread, or the worker's lookup on the JS thread. Shared (std::shared_ptr) by both, so that an
// answer that comes after the clone gave up lands in state nobody reads any more.
class PendingResolution {
 public:
  // The first answer counts (a lookup that calls back twice is ignored the second time).
  // `failure` empty: `addresses` is the answer.
  void Settle(std::string failure, std::vector<IpAddress> addresses = {});

  // Waits for the answer in ticks (the socket stream's: 50 ms) that check `budget`, and
  // `still_possible` when given (false: no answer can come any more, `gone` says why).
  // The answer (at least one address), the budget's reason, or ERR_CLONE_FAILED naming `host`.
  Error Wait(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out,
             const std::function<bool()>& still_possible = {}, const char* gone = "");

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  bool done_ = false;
  std::string failure_;
  std::vector<IpAddress> addresses_;
};

// The message of every resolution failure, whoever resolved.
Error ResolveFailure(const std::string& host, const std::string& why);

}  // namespace home
