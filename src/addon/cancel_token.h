// `CancelToken`: the JavaScript handle of a home::CancelFlag. The shim creates one per call and
// cancels it from the AbortSignal's 'abort' event; native workers poll the flag between steps.
#pragma once

#include <napi.h>

#include "core/base/cancel.h"

namespace home::addon {

class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static void Init(Napi::Env env, Napi::Object exports);
  explicit CancelToken(const Napi::CallbackInfo& info);

  // The flag behind `value`, or a fresh never-cancelled flag when `value` is undefined.
  // Throws ERR_INVALID_ARG_TYPE for anything else.
  static CancelFlag FlagOf(Napi::Env env, Napi::Value value);

 private:
  void Cancel(const Napi::CallbackInfo& info);
  Napi::Value Cancelled(const Napi::CallbackInfo& info);

  CancelFlag flag_;
};

}  // namespace home::addon
