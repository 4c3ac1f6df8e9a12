// The clone's credential source (core/git/credential_source.h) that asks the worker's
// `clone.credentials` function: `({ url, host, protocol, attempt }) => ({ username, password }) |
// null`, or a promise of that. Asked on the job's JS thread; the clone's thread waits in intervals
// that check its budget, so a function that never settles ends at the deadline or the abort.
#pragma once

#include <napi.h>

#include "addon/thread_job.h"
#include "core/git/credential_source.h"

namespace home::addon {

class JsCredentials : public CredentialSource {
 public:
  // `job` runs the function on its JS thread and outlives every Ask() (they run inside its Run());
  // `function` is the job's reference, dropped with the job's JS values.
  JsCredentials(ThreadJob* job, Napi::FunctionReference* function) : job_(job), function_(function) {}

  Error Ask(const CredentialRequest& request, CloneBudget& budget, std::optional<Credential>* out) override;

 private:
  ThreadJob* job_;
  Napi::FunctionReference* function_;
};

}  // namespace home::addon
