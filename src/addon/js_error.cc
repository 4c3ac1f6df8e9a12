#include "addon/js_error.h"

namespace home::addon {
namespace {

void SetErrorFields(Napi::Object target, const Error& error) {
  Napi::Env env = target.Env();
  target.Set("code", Napi::String::New(env, error.code));
  if (!error.path.empty()) target.Set("path", Napi::String::New(env, error.path));
  if (error.sys_errno != 0) {
    target.Set("errno", Napi::Number::New(env, -error.sys_errno));  // Node's sign convention
    target.Set("osCode", Napi::String::New(env, ErrnoName(error.sys_errno)));
    if (!error.syscall.empty()) target.Set("syscall", Napi::String::New(env, error.syscall));
  }
}

}  // namespace

Napi::Error ToJsError(Napi::Env env, const Error& error) {
  Napi::Error js = Napi::Error::New(env, error.message.empty() ? error.code : error.message);
  SetErrorFields(js.Value(), error);
  return js;
}

Napi::Error ToJsBatchError(Napi::Env env, const std::string& code, const std::string& message,
                           const std::vector<Error>& failures) {
  Napi::Error js = Napi::Error::New(env, message);
  js.Set("code", Napi::String::New(env, code));
  Napi::Array list = Napi::Array::New(env, failures.size());
  for (uint32_t i = 0; i < failures.size(); ++i) {
    Napi::Object item = Napi::Object::New(env);
    SetErrorFields(item, failures[i]);
    // Every failed item names its path, even the empty one.
    item.Set("path", Napi::String::New(env, failures[i].path));
    item.Set("message", Napi::String::New(env, failures[i].message));
    list.Set(i, item);
  }
  js.Set("failures", list);
  return js;
}

void ThrowArgError(Napi::Env env, const std::string& message) {
  Napi::TypeError error = Napi::TypeError::New(env, message);
  error.Set("code", Napi::String::New(env, "ERR_INVALID_ARG_TYPE"));
  throw error;
}

}  // namespace home::addon
