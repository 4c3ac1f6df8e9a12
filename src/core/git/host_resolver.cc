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

void PendingResolution::Settle(std::string failure, std::vector<IpAddress> addresses) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (done_) return;
  done_ = true;
  failure_ = std::move(failure);
  addresses_ = std::move(addresses);
  ready_.notify_all();
}

Error PendingResolution::Wait(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out,
                              const std::function<bool()>& still_possible, const char* gone) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!ready_.wait_for(lock, kBudgetCheckInterval, [&] { return done_; })) {
    lock.unlock();
    if (const Error& stop = budget.Check()) return stop;
    if (still_possible && !still_possible()) return ResolveFailure(host, gone);
    lock.lock();
  }
  if (!failure_.empty()) return ResolveFailure(host, failure_);
  if (addresses_.empty()) return ResolveFailure(host, "no address");
  *out = addresses_;
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
