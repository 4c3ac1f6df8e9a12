// setCloneConcurrency(limit), setIoConcurrency(limit): the limits of the addon's two thread
// sets (core/base/task_threads.h), from configure({ clone: { concurrency }, ioConcurrency }).
#include "addon/bindings.h"
#include "addon/js_error.h"
#include "core/base/task_threads.h"

namespace home::addon {
namespace {

template <TaskThreads& (*Set)()>
Napi::Value SetLimitJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().DoubleValue() < 1) {
    ThrowArgError(env, "expected a positive integer limit");
  }
  Set().SetLimit(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()));
  return env.Undefined();
}

}  // namespace

void InitThreadLimits(Napi::Env env, Napi::Object exports) {
  exports.Set("setCloneConcurrency", Napi::Function::New<SetLimitJs<&TaskThreads::Clones>>(env, "setCloneConcurrency"));
  exports.Set("setIoConcurrency", Napi::Function::New<SetLimitJs<&TaskThreads::HomeIo>>(env, "setIoConcurrency"));
}

}  // namespace home::addon
