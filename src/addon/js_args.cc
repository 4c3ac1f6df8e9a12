#include "addon/js_args.h"

#include <cmath>

#include "addon/js_error.h"

namespace home::addon {
namespace {

// uid_t/gid_t are 32 bits; (uint32_t)-1 means "leave unchanged" to fchown, so it is not an owner.
constexpr uint64_t kMaxId = 4294967294;

}  // namespace

std::string Utf8Of(Napi::Env env, Napi::Value value) {
  // One pass instead of Utf8Value's two (length, then copy): the UTF-16 length is known without
  // a scan, and a UTF-16 unit never takes more than 3 bytes of UTF-8 (a surrogate pair takes 4
  // for 2 units; a lone surrogate becomes U+FFFD, 3 bytes).
  thread_local std::string scratch;
  size_t units = 0;
  if (napi_get_value_string_utf16(env, value, nullptr, 0, &units) != napi_ok) ThrowArgError(env, "expected a string");
  if (scratch.size() < units * 3 + 1) scratch.resize(units * 3 + 1);
  size_t written = 0;
  if (napi_get_value_string_utf8(env, value, scratch.data(), scratch.size(), &written) != napi_ok) {
    ThrowArgError(env, "expected a string");
  }
  return std::string(scratch.data(), written);
}

HomeOptions HomeOptionsFrom(Napi::Env env, Napi::Value value, const char* what) {
  HomeOptions options;
  if (value.IsUndefined()) return options;
  if (!value.IsObject()) ThrowArgError(env, std::string(what) + ": options must be an object");
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value container_home = object.Get("containerHome");
  if (!container_home.IsUndefined()) {
    options.container_home = StringFrom(env, container_home, std::string(what) + ": containerHome");
  }
  Napi::Value uid = object.Get("uid");
  if (!uid.IsUndefined()) options.uid = static_cast<uint32_t>(CountFrom(env, uid, std::string(what) + ": uid", kMaxId));
  Napi::Value gid = object.Get("gid");
  if (!gid.IsUndefined()) options.gid = static_cast<uint32_t>(CountFrom(env, gid, std::string(what) + ": gid", kMaxId));
  Napi::Value manual = object.Get("forceManualWalk");
  if (!manual.IsUndefined()) options.force_manual_walk = BooleanFrom(env, manual, std::string(what) + ": forceManualWalk");
  return options;
}

bool TryBytesFrom(Napi::Env env, Napi::Value value, std::string* out) {
  if (value.IsString()) {
    *out = Utf8Of(env, value);
    return true;
  }
  if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
    Napi::Uint8Array bytes = value.As<Napi::Uint8Array>();
    out->assign(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
    return true;
  }
  return false;
}

std::string BytesFrom(Napi::Env env, Napi::Value value, const std::string& what) {
  std::string out;
  if (!TryBytesFrom(env, value, &out)) ThrowArgError(env, what + " must be a string or a Uint8Array");
  return out;
}

std::string StringFrom(Napi::Env env, Napi::Value value, const std::string& what) {
  if (!value.IsString()) ThrowArgError(env, what + " must be a string");
  return Utf8Of(env, value);
}

std::string OptionalStringFrom(Napi::Env env, Napi::Value value, const std::string& what) {
  return value.IsUndefined() ? std::string() : StringFrom(env, value, what);
}

std::u16string Utf16From(Napi::Env env, Napi::Value value, const std::string& what) {
  if (!value.IsString()) ThrowArgError(env, what + " must be a string");
  return value.As<Napi::String>().Utf16Value();
}

uint64_t CountFrom(Napi::Env env, Napi::Value value, const std::string& what, uint64_t max) {
  if (!value.IsNumber()) ThrowArgError(env, what + " must be a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0 && number <= static_cast<double>(max)) || std::floor(number) != number) {
    ThrowArgError(env, what + " must be an integer from 0 to " + std::to_string(max));
  }
  return static_cast<uint64_t>(number);
}

bool BooleanFrom(Napi::Env env, Napi::Value value, const std::string& what) {
  if (!value.IsBoolean()) ThrowArgError(env, what + " must be a boolean");
  return value.As<Napi::Boolean>().Value();
}

std::vector<std::string> StringsFrom(Napi::Env env, Napi::Value value, const std::string& what) {
  if (!value.IsArray()) ThrowArgError(env, what + " must be an array of strings");
  Napi::Array list = value.As<Napi::Array>();
  const uint32_t count = list.Length();
  std::vector<std::string> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) out.push_back(StringFrom(env, list.Get(i), what + "[" + std::to_string(i) + "]"));
  return out;
}

Napi::Object ObjectFrom(Napi::Env env, Napi::Value value, const std::string& what) {
  if (!value.IsObject()) ThrowArgError(env, what + " must be an object");
  return value.As<Napi::Object>();
}

Napi::Function OptionalFunctionFrom(Napi::Env env, Napi::Value value, const std::string& what) {
  if (value.IsUndefined()) return Napi::Function();
  if (!value.IsFunction()) ThrowArgError(env, what + " must be a function");
  return value.As<Napi::Function>();
}

void RequireArgs(const Napi::CallbackInfo& info, size_t count, const char* usage) {
  if (info.Length() < count) ThrowArgError(info.Env(), usage);
}

}  // namespace home::addon
