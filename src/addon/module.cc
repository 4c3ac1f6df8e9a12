// Registers the addon's exports. Nothing else lives here.
#include <napi.h>

#include <memory>

#include "addon/addon_data.h"
#include "addon/bindings.h"
#include "addon/cancel_token.h"

static Napi::Object InitHomeNative(Napi::Env env, Napi::Object exports) {
  using namespace home::addon;
  // Node owns the data from here on and deletes it with the environment.
  env.SetInstanceData(std::make_unique<AddonData>().release());
  CancelToken::Init(env, exports);
  InitClone(env, exports);
  InitConfigHash(env, exports);
  InitHomeLock(env, exports);
  InitVersions(env, exports);
  InitWriteHomeFiles(env, exports);
  InitHomeFiles(env, exports);
  InitThreadLimits(env, exports);
  return exports;
}

NODE_API_MODULE(home_native, InitHomeNative)
