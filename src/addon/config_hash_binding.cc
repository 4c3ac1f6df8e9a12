// configHash(repo: string | undefined, ref: string, setup: string): string
// Synchronous: hashing three short strings costs less than a trip to the threadpool. Strings
// cross as UTF-16 so lone surrogates reach the encoder as they are in JavaScript.
#include "addon/bindings.h"
#include "addon/js_args.h"
#include "core/home/config_hash.h"

namespace home::addon {
namespace {

Napi::Value ConfigHashJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 3, "configHash(repo: string | undefined, ref: string, setup: string)");
  ConfigHashInput input;
  if (!info[0].IsUndefined()) input.repo = Utf16From(env, info[0], "configHash: repo");
  input.ref = Utf16From(env, info[1], "configHash: ref");
  input.setup = Utf16From(env, info[2], "configHash: setup");
  return Napi::String::New(env, ConfigHash(input));
}

}  // namespace

void InitConfigHash(Napi::Env env, Napi::Object exports) {
  exports.Set("configHash", Napi::Function::New<ConfigHashJs>(env, "configHash"));
}

}  // namespace home::addon
