#include "addon/cancel_token.h"

#include "addon/addon_data.h"
#include "addon/js_error.h"

namespace home::addon {

void CancelToken::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = DefineClass(env, "CancelToken",
                                    {InstanceMethod<&CancelToken::Cancel>("cancel"),
                                     InstanceAccessor<&CancelToken::Cancelled>("cancelled")});
  AddonData::Of(env).cancel_token_ctor = Napi::Persistent(ctor);
  exports.Set("CancelToken", ctor);
}

CancelToken::CancelToken(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelToken>(info) {}

CancelFlag CancelToken::FlagOf(Napi::Env env, Napi::Value value) {
  if (value.IsUndefined() || value.IsNull()) return CancelFlag();
  if (value.IsObject() && value.As<Napi::Object>().InstanceOf(AddonData::Of(env).cancel_token_ctor.Value())) {
    return Unwrap(value.As<Napi::Object>())->flag_;
  }
  ThrowArgError(env, "expected a CancelToken");
}

void CancelToken::Cancel(const Napi::CallbackInfo&) { flag_.Cancel(); }

Napi::Value CancelToken::Cancelled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), flag_.cancelled());
}

}  // namespace home::addon
