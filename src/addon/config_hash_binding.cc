// configHash(repo: string | undefined, ref: string, setup: string): string
// Synchronous: hashing three short strings costs less than a trip to the threadpool. Strings
// cross as UTF-16 so lone surrogates reach the encoder as they are in JavaScript.
#include "addon/bindings.h"
#include "addon/js_error.h"
#include "core/home/config_hash.h"

namespace home::addon {
namespace {

Napi::Value ConfigHashJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !(info[0].IsString() || info[0].IsUndefined()) || !info[1].IsString() ||
      !info[2].IsString()) {
    ThrowArgError(env, "configHash(repo: string | undefined, ref: string, setup: string)");
  }
  ConfigHashInput input;
  if (info[0].IsString()) input.repo = info[0].As<Napi::String>().Utf16Value();
  input.ref = info[1].As<Napi::String>().Utf16Value();
  input.setup = info[2].As<Napi::String>().Utf16Value();
  return Napi::String::New(env, ConfigHash(input));
}

}  // namespace

void InitConfigHash(Napi::Env env, Napi::Object exports) {
  exports.Set("configHash", Napi::Function::New<ConfigHashJs>(env, "configHash"));
}

}  // namespace home::addon
