// Registers the addon's exports, once the process's OpenSSL and zlib have passed their version checks.
#include <napi.h>

#include <memory>

#include "addon/addon_data.h"
#include "addon/bindings.h"
#include "addon/cancel_token.h"
#include "addon/js_error.h"
#include "core/base/openssl_version.h"
#include "core/base/zlib_version.h"

static Napi::Object InitHomeNative(Napi::Env env, Napi::Object exports) {
  using namespace home::addon;
  // Before anything can reach OpenSSL or zlib: the process's must be ones this binary was built
  // for. Thrown from here, it fails the require() that loads the addon (lib/native.ts).
  if (home::Error e = home::CheckProcessOpenSsl()) throw ToJsError(env, e);
  if (home::Error e = home::CheckProcessZlib()) throw ToJsError(env, e);
  // Node owns the data from here on and deletes it with the environment.
  env.SetInstanceData(std::make_unique<AddonData>().release());
  CancelToken::Init(env, exports);
  InitClone(env, exports);
  InitConfigHash(env, exports);
  InitHomeLock(env, exports);
  InitVersions(env, exports);
  InitWriteHomeFiles(env, exports);
  InitHomeFiles(env, exports);
  InitHomeReader(env, exports);
  InitLinkDotfiles(env, exports);
  InitThreadLimits(env, exports);
  return exports;
}

NODE_API_MODULE(home_native, InitHomeNative)
