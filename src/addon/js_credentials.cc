#include "addon/js_credentials.h"

#include <memory>
#include <string>

#include "core/git/pending_answer.h"

namespace home::addon {
namespace {

using PendingCredential = PendingAnswer<std::optional<Credential>>;

constexpr const char* kNotACredential =
    "the credentials function answered something that is neither { username, password } (strings) nor null";

// The function's answer, settled into `pending`: null or undefined is "none for this server".
void TakeAnswer(Napi::Value value, PendingCredential& pending) {
  if (value.IsNull() || value.IsUndefined()) {
    pending.Settle({}, std::nullopt);
    return;
  }
  if (!value.IsObject()) {
    pending.Settle(kNotACredential);
    return;
  }
  Napi::Object object = value.As<Napi::Object>();
  Napi::Value username = object.Get("username");
  Napi::Value password = object.Get("password");
  if (!username.IsString() || !password.IsString()) {
    pending.Settle(kNotACredential);
    return;
  }
  pending.Settle({}, Credential(username.As<Napi::String>().Utf8Value(), password.As<Napi::String>().Utf8Value()));
}

// What a rejection says, without the value it rejected with (which may hold anything).
std::string Described(Napi::Value reason) {
  if (reason.IsObject()) {
    Napi::Value code = reason.As<Napi::Object>().Get("code");
    if (code.IsString()) return "the credentials function failed (" + code.As<Napi::String>().Utf8Value() + ")";
  }
  return "the credentials function failed";
}

void Call(Napi::Env env, Napi::FunctionReference* function, const CredentialRequest& request,
          const std::shared_ptr<PendingCredential>& pending) {
  Napi::Object question = Napi::Object::New(env);
  question.Set("url", request.url);
  question.Set("host", request.host);
  question.Set("protocol", request.protocol);
  question.Set("attempt", request.attempt);
  Napi::Value answer;
  try {
    answer = function->Value().Call({question});
  } catch (const Napi::Error& error) {
    pending->Settle(Described(error.Value()));
    return;
  }
  // A promise (or any thenable): settle when it does.
  if (answer.IsObject()) {
    Napi::Value then = answer.As<Napi::Object>().Get("then");
    if (then.IsFunction()) {
      Napi::Function fulfilled = Napi::Function::New(env, [pending](const Napi::CallbackInfo& info) {
        TakeAnswer(info.Length() > 0 ? info[0] : info.Env().Undefined(), *pending);
      });
      Napi::Function rejected = Napi::Function::New(env, [pending](const Napi::CallbackInfo& info) {
        pending->Settle(Described(info.Length() > 0 ? info[0] : info.Env().Undefined()));
      });
      try {
        then.As<Napi::Function>().Call(answer, {fulfilled, rejected});
      } catch (const Napi::Error& error) {
        pending->Settle(Described(error.Value()));
      }
      return;
    }
  }
  TakeAnswer(answer, *pending);
}

}  // namespace

Error JsCredentials::Ask(const CredentialRequest& request, CloneBudget& budget, std::optional<Credential>* out) {
  auto pending = std::make_shared<PendingCredential>();
  Napi::FunctionReference* function = function_;
  const bool posted = job_->RunOnJs([function, request, pending](Napi::Env env) { Call(env, function, request, pending); });
  const auto failed = [&](const std::string& why) { return MakeError("ERR_CLONE_AUTH", why + " for " + request.host); };
  if (!posted) return failed("the credentials function could not run: the JavaScript environment is gone");
  std::string failure;
  Error stop;
  switch (pending->Wait(budget, [this] { return job_->JsReachable(); }, out, &failure, &stop)) {
    case PendingCredential::Waited::kAnswered: return {};
    case PendingCredential::Waited::kStopped: return stop;
    case PendingCredential::Waited::kGone: return failed("the JavaScript environment went away while asking for credentials");
    case PendingCredential::Waited::kFailed: break;
  }
  return failed(failure);
}

}  // namespace home::addon
