// versions(): the package's native dependencies as this binary was built and runs.
#include <git2.h>
#include <openssl/crypto.h>

#include <string>

#include "addon/bindings.h"

namespace home::addon {
namespace {

Napi::Value VersionsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  out.Set("libgit2", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev));
  out.Set("openssl", OpenSSL_version(OPENSSL_VERSION));
  out.Set("napi", Napi::Number::New(env, NAPI_VERSION));
  return out;
}

}  // namespace

void InitVersions(Napi::Env env, Napi::Object exports) {
  exports.Set("versions", Napi::Function::New<VersionsJs>(env, "versions"));
}

}  // namespace home::addon
