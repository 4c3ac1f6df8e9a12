// Per-environment state of the addon (one per Node environment: main thread or worker_threads),
// owned by Node through SetInstanceData so it dies with the environment.
#pragma once

#include <napi.h>

namespace home::addon {

struct AddonData {
  Napi::FunctionReference cancel_token_ctor;
  Napi::FunctionReference home_lock_ctor;

  static AddonData& Of(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
};

}  // namespace home::addon
