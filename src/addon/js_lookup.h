// The clone's resolver (core/git/host_resolver.h) that asks the worker's own lookup function: the
// `clone.lookup` setting, which has the signature of dns.lookup (and is dns.lookup unless the
// worker plugs in its resolver or cache). The clone's thread posts the question to the JS thread
// and waits for the answer in ticks that check the clone's budget, so a lookup that never calls
// back ends at the deadline or the abort like every other phase, and the thread is free again.
// The late answer, if one comes, lands in state nobody waits for any more (PendingResolution).
#pragma once

#include <napi.h>

#include <memory>

#include "addon/thread_job.h"
#include "core/git/host_resolver.h"

namespace home::addon {

class JsLookup : public HostResolver {
 public:
  // `job` runs the lookup on its JS thread and outlives every Resolve() (they run inside its
  // Run()); `lookup` is the job's reference to the function, dropped with the job's JS values.
  JsLookup(ThreadJob* job, Napi::FunctionReference* lookup) : job_(job), lookup_(lookup) {}

  Error Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) override;

 private:
  ThreadJob* job_;
  Napi::FunctionReference* lookup_;
};

}  // namespace home::addon
