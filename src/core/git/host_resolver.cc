#include "core/git/host_resolver.h"

#include <netdb.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>

namespace home {

Error ResolveFailure(const std::string& host, const std::string& why) {
  return MakeError("ERR_CLONE_FAILED", "failed to resolve address for " + host + ": " + why);
}

namespace {

// How often the waiting clone thread looks at its budget: the socket stream's tick.
constexpr auto kTick = std::chrono::milliseconds(50);

// Shared by the clone's thread and the helper, which may finish after the clone gave up.
struct Lookup {
  std::mutex mutex;
  std::condition_variable ready;
  bool done = false;
  int rc = 0;
  std::vector<IpAddress> addresses;
};

void RunGetaddrinfo(const std::string& host, Lookup& lookup) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  std::vector<IpAddress> found;
  if (rc == 0) {
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(raw, freeaddrinfo);
    for (const addrinfo* a = owned.get(); a != nullptr; a = a->ai_next) {
      IpAddress address;
      if (FromSockaddr(a->ai_addr, &address)) found.push_back(address);
    }
  }
  std::lock_guard<std::mutex> lock(lookup.mutex);
  lookup.rc = rc;
  lookup.addresses = std::move(found);
  lookup.done = true;
  lookup.ready.notify_all();
}

}  // namespace

Error SystemResolver::Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) {
  if (const Error& stop = budget.Check()) return stop;
  auto lookup = std::make_shared<Lookup>();
  try {
    std::thread([lookup, host] { RunGetaddrinfo(host, *lookup); }).detach();
  } catch (const std::system_error& e) {
    return ResolveFailure(host, std::string("no thread for the lookup: ") + e.what());
  }
  std::unique_lock<std::mutex> lock(lookup->mutex);
  while (!lookup->ready.wait_for(lock, kTick, [&] { return lookup->done; })) {
    lock.unlock();
    if (const Error& stop = budget.Check()) return stop;
    lock.lock();
  }
  if (lookup->rc != 0) return ResolveFailure(host, gai_strerror(lookup->rc));
  if (lookup->addresses.empty()) return ResolveFailure(host, "no address");
  *out = lookup->addresses;
  return {};
}

}  // namespace home
