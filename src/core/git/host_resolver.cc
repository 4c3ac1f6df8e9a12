#include "core/git/host_resolver.h"

#include <netdb.h>

#include <chrono>
#include <memory>
#include <system_error>
#include <thread>

namespace home {

Error ResolveFailure(const std::string& host, const std::string& why) {
  return MakeError("ERR_CLONE_FAILED", "failed to resolve address for " + host + ": " + why);
}

namespace {

void RunGetaddrinfo(const std::string& host, PendingResolution& pending) {
  addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
  if (rc != 0) {
    pending.Settle(gai_strerror(rc));
    return;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(raw, freeaddrinfo);
  std::vector<IpAddress> found;
  for (const addrinfo* a = owned.get(); a != nullptr; a = a->ai_next) {
    IpAddress address;
    if (FromSockaddr(a->ai_addr, &address)) found.push_back(address);
  }
  pending.Settle({}, std::move(found));
}

}  // namespace

Error PendingResolution::Wait(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out,
                              const std::function<bool()>& still_possible, const char* gone) {
  std::vector<IpAddress> addresses;
  std::string failure;
  Error stop;
  switch (PendingAnswer::Wait(budget, still_possible, &addresses, &failure, &stop)) {
    case Waited::kStopped: return stop;
    case Waited::kGone: return ResolveFailure(host, gone);
    case Waited::kFailed: return ResolveFailure(host, failure);
    case Waited::kAnswered: break;
  }
  if (addresses.empty()) return ResolveFailure(host, "no address");
  *out = std::move(addresses);
  return {};
}

Error SystemResolver::Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) {
  auto pending = std::make_shared<PendingResolution>();
  try {
    std::thread([pending, host] { RunGetaddrinfo(host, *pending); }).detach();
  } catch (const std::system_error& e) {
    return ResolveFailure(host, std::string("no thread for the lookup: ") + e.what());
  }
  return pending->Wait(host, budget, out);
}

}  // namespace home
