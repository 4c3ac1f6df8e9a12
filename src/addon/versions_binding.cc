// versions(): the package's native dependencies as this binary was built and runs.
#include <git2.h>
#include <openssl/crypto.h>

#include <string>

#include "addon/bindings.h"

#if __has_include(<mbedtls/version.h>)
#include <mbedtls/version.h>
#endif

// binding.gyp defines it from what libgit2 links (scripts/libgit2-flags.js): libgit2 1.8 cannot
// be asked at run time which TLS library it was built with.
#ifndef HOME_NATIVE_TLS_BACKEND
#define HOME_NATIVE_TLS_BACKEND unknown
#endif
#define HOME_NATIVE_STR2(x) #x
#define HOME_NATIVE_STR(x) HOME_NATIVE_STR2(x)

namespace home::addon {
namespace {

// "mbedTLS 2.28.3", "OpenSSL", "none" when libgit2 was built without HTTPS. mbedTLS's version is
// its header's: a static build links exactly that one, and a system build's headers come from
// the same distribution package as the shared library.
std::string TlsBackend() {
  if (!(git_libgit2_features() & GIT_FEATURE_HTTPS)) return "none";
  std::string backend = HOME_NATIVE_STR(HOME_NATIVE_TLS_BACKEND);
#ifdef MBEDTLS_VERSION_STRING
  if (backend == "mbedTLS") backend += " " MBEDTLS_VERSION_STRING;
#endif
  return backend;
}

Napi::Value VersionsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  int major = 0, minor = 0, rev = 0;
  git_libgit2_version(&major, &minor, &rev);
  out.Set("libgit2", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(rev));
  out.Set("tls", TlsBackend());
  // Node's own OpenSSL: the addon verifies caFile chains and hashes with it.
  out.Set("openssl", OpenSSL_version(OPENSSL_VERSION));
  out.Set("napi", Napi::Number::New(env, NAPI_VERSION));
  return out;
}

}  // namespace

void InitVersions(Napi::Env env, Napi::Object exports) {
  exports.Set("versions", Napi::Function::New<VersionsJs>(env, "versions"));
}

}  // namespace home::addon
