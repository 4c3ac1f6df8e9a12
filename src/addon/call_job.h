// A ThreadJob that is one call into src/core on a home-io thread: the entry point converts and
// captures the arguments in `run`, which fills a Result; `to_js` turns it into the promise's
// value on the JS thread. For the small single-call operations; a job with progress, its own
// rejection or its own thread (a clone, the lock) derives from ThreadJob itself.
#pragma once

#include <napi.h>

#include <functional>
#include <memory>
#include <utility>

#include "addon/thread_job.h"

namespace home::addon {

template <typename Result>
class CallJob : public ThreadJob {
 public:
  using RunFn = std::function<Error(Result*)>;
  using ToJsFn = Napi::Value (*)(Napi::Env, Result&);

  // Starts `run` on a home-io thread and returns the promise of `to_js(result)`.
  static Napi::Promise Start(Napi::Env env, const char* resource_name, RunFn run, ToJsFn to_js) {
    return ThreadJob::Start(env, std::make_shared<CallJob>(env, std::move(run), to_js), resource_name, OnHomeIoThread);
  }

  CallJob(Napi::Env env, RunFn run, ToJsFn to_js) : ThreadJob(env), run_(std::move(run)), to_js_(to_js) {}

 protected:
  Error Run() override { return run_(&result_); }
  Napi::Value Resolve(Napi::Env env) override { return to_js_(env, result_); }

 private:
  RunFn run_;
  ToJsFn to_js_;
  Result result_{};
};

// The Result of a call that answers nothing.
struct NoResult {};
inline Napi::Value Undefined(Napi::Env env, NoResult&) { return env.Undefined(); }

}  // namespace home::addon
