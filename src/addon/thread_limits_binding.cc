// setCloneConcurrency(limit), setIoConcurrency(limit): the limits of the addon's two thread
// sets (core/base/task_threads.h), from configure({ clone: { concurrency }, ioConcurrency }).
#include "addon/bindings.h"
#include "addon/js_args.h"
#include "addon/js_error.h"
#include "core/base/task_threads.h"

namespace home::addon {
namespace {

template <TaskThreads& (*Set)()>
Napi::Value SetLimitJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 1, "expected a positive integer limit");
  const uint64_t limit = CountFrom(env, info[0], "limit");
  if (limit == 0) ThrowArgError(env, "limit must be a positive integer");
  Set().SetLimit(static_cast<size_t>(limit));
  return env.Undefined();
}

}  // namespace

void InitThreadLimits(Napi::Env env, Napi::Object exports) {
  exports.Set("setCloneConcurrency", Napi::Function::New<SetLimitJs<&TaskThreads::Clones>>(env, "setCloneConcurrency"));
  exports.Set("setIoConcurrency", Napi::Function::New<SetLimitJs<&TaskThreads::HomeIo>>(env, "setIoConcurrency"));
}

}  // namespace home::addon
