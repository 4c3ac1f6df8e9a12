#include "addon/js_lookup.h"

#include <memory>

namespace home::addon {

namespace {

// An address as dns.lookup gives it: numeric, an IPv6 one maybe with its zone (`fe80::1%eth0`),
// which the policy judges without.
bool ParseAnswered(std::string text, IpAddress* out) {
  const size_t zone = text.find('%');
  if (zone != std::string::npos) text.resize(zone);
  return ParseIpAddress(text, out);
}

std::string Describe(Napi::Value error) {
  if (error.IsObject()) {
    Napi::Object object = error.As<Napi::Object>();
    Napi::Value code = object.Get("code");
    Napi::Value message = object.Get("message");
    if (code.IsString()) return code.As<Napi::String>().Utf8Value();
    if (message.IsString()) return message.As<Napi::String>().Utf8Value();
  }
  return error.ToString().Utf8Value();
}

// The callback's (err, addresses) for { all: true }, or (err, address, family) for a lookup that
// ignores `all`: both are what net.connect accepts.
void OnAnswer(const Napi::CallbackInfo& info, PendingResolution& answer) {
  if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) {
    answer.Settle(Describe(info[0]));
    return;
  }
  std::vector<IpAddress> list;
  auto take = [&](Napi::Value value) {
    std::string text;
    if (value.IsString()) {
      text = value.As<Napi::String>().Utf8Value();
    } else if (value.IsObject() && value.As<Napi::Object>().Get("address").IsString()) {
      text = value.As<Napi::Object>().Get("address").As<Napi::String>().Utf8Value();
    } else {
      return false;
    }
    IpAddress address;
    if (!ParseAnswered(text, &address)) return false;
    list.push_back(address);
    return true;
  };
  bool valid = info.Length() > 1;
  if (valid && info[1].IsArray()) {
    Napi::Array array = info[1].As<Napi::Array>();
    for (uint32_t i = 0; valid && i < array.Length(); ++i) valid = take(array.Get(i));
  } else if (valid) {
    valid = take(info[1]);
  }
  if (!valid) {
    answer.Settle("the lookup function answered something that is not a list of IP addresses");
  } else {
    answer.Settle({}, std::move(list));  // an empty list: Wait() says "no address"
  }
}

}  // namespace

Error JsLookup::Resolve(const std::string& host, CloneBudget& budget, std::vector<IpAddress>* out) {
  auto answer = std::make_shared<PendingResolution>();
  Napi::FunctionReference* lookup = lookup_;
  const bool posted = job_->RunOnJs([answer, host, lookup](Napi::Env env) {
    Napi::Object options = Napi::Object::New(env);
    options.Set("all", true);
    Napi::Function callback = Napi::Function::New(env, [answer](const Napi::CallbackInfo& info) { OnAnswer(info, *answer); });
    try {
      lookup->Value().Call({Napi::String::New(env, host), options, callback});
    } catch (const Napi::Error& error) {
      answer->Settle("the lookup function threw: " + error.Message());
    }
  });
  if (!posted) return ResolveFailure(host, "the lookup could not run: the JavaScript environment is gone");
  return answer->Wait(host, budget, out, [this] { return job_->JsReachable(); },
                      "the JavaScript environment went away during the lookup");
}

}  // namespace home::addon
