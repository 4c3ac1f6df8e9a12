// versions(): the package's native dependencies as this binary runs with them.
#include <git2.h>
#include <openssl/crypto.h>
#include <zlib.h>

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
  // The process's OpenSSL, asked at run time: HTTPS clones run on it (core/git/tls_stream.h), as do
  // the hashes, whatever libgit2 was built with. One library, under both names.
  const char* openssl = OpenSSL_version(OPENSSL_VERSION);
  out.Set("tls", openssl);
  out.Set("openssl", openssl);
  // The process's zlib too (core/base/zlib_version.h): libgit2 and the pack scanner inflate with it.
  out.Set("zlib", zlibVersion());
  out.Set("napi", Napi::Number::New(env, NAPI_VERSION));
  return out;
}

}  // namespace

void InitVersions(Napi::Env env, Napi::Object exports) {
  exports.Set("versions", Napi::Function::New<VersionsJs>(env, "versions"));
}

}  // namespace home::addon
