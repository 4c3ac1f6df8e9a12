// cloneRepository(options, cancel, onProgress) => Promise<report>
// Runs on the addon's clone threads (core/base/task_threads.h), never on the libuv threadpool: a
// clone can take minutes and the worker's fs, dns and crypto share that pool.
#include <chrono>
#include <deque>
#include <mutex>

#include "addon/bindings.h"
#include "addon/cancel_token.h"
#include "addon/js_args.h"
#include "addon/js_credentials.h"
#include "addon/js_lookup.h"
#include "addon/js_error.h"
#include "addon/thread_job.h"
#include "core/git/address_policy.h"
#include "core/git/url_policy.h"
#include "core/home/clone_swap.h"

namespace home::addon {
namespace {

// libgit2 reports progress per received chunk and per checked-out file: thousands a second.
// Waking the JS thread for each would cost the clone (and the worker) CPU for updates nobody
// sees; the shim shows ten a second. A phase change always goes out at once, and no phase's last
// state is dropped: the JS thread may be slower than the clone, so what it has not taken yet
// waits in a queue that holds at most one state per phase (the latest of that phase).
constexpr auto kProgressInterval = std::chrono::milliseconds(50);
// Retries pass through the phases again; older states beyond this are of no use to anyone.
constexpr size_t kMaxQueuedStates = 8;

// Options as the shim sends them (lib/native.ts NativeCloneOptions).
CloneRequest ReadRequest(Napi::Env env, Napi::Object options) {
  const auto field = [&](const char* name) { return options.Get(name); };
  const auto what = [](const char* name) { return std::string("cloneRepository: options.") + name; };
  CloneRequest request;
  request.spec.url = StringFrom(env, field("url"), what("url"));
  request.spec.ref = OptionalStringFrom(env, field("ref"), what("ref"));
  request.spec.depth = static_cast<int>(CountFrom(env, field("depth"), what("depth"), INT32_MAX));
  request.spec.timeout = std::chrono::milliseconds(CountFrom(env, field("timeoutMs"), what("timeoutMs")));
  request.spec.max_bytes = CountFrom(env, field("maxBytes"), what("maxBytes"));
  request.spec.ca_file = OptionalStringFrom(env, field("caFile"), what("caFile"));
  request.spec.allowed_protocols = StringsFrom(env, field("allowedProtocols"), what("allowedProtocols"));
  // The network the clone may reach (core/git/network_access.h); the resolver is the job's (below).
  request.spec.allowed_networks = StringsFrom(env, field("allowedNetworks"), what("allowedNetworks"));
  request.spec.proxy = OptionalStringFrom(env, field("proxy"), what("proxy"));
  request.spec.submodules = BooleanFrom(env, field("submodules"), what("submodules"));
  // The rest of the budget (core/git/clone_budget.h); the shim always sends them.
  request.spec.max_files = CountFrom(env, field("maxFiles"), what("maxFiles"));
  request.spec.max_checkout_bytes = CountFrom(env, field("maxCheckoutBytes"), what("maxCheckoutBytes"));
  request.spec.max_file_bytes = CountFrom(env, field("maxFileBytes"), what("maxFileBytes"));
  request.spec.max_memory_bytes = CountFrom(env, field("maxMemoryBytes"), what("maxMemoryBytes"));
  request.home_dir = StringFrom(env, field("homeDir"), what("homeDir"));
  request.into = StringFrom(env, field("into"), what("into"));
  request.staging_dir = StringFrom(env, field("stagingDir"), what("stagingDir"));
  request.invalidate_marker = OptionalStringFrom(env, field("invalidateMarker"), what("invalidateMarker"));
  request.home = HomeOptionsFrom(env, options, "cloneRepository");
  return request;
}

class CloneJob : public ThreadJob {
 public:
  // on_progress, lookup and credentials may be empty: no listener, the system's resolver, no
  // credentials to offer.
  CloneJob(Napi::Env env, CloneRequest request, CancelFlag cancel, Napi::Function on_progress, Napi::Function lookup,
           Napi::Function credentials)
      : ThreadJob(env), request_(std::move(request)), cancel_(std::move(cancel)) {
    if (!credentials.IsEmpty()) {
      credentials_ = Napi::Persistent(credentials);
      request_.spec.credentials = std::make_shared<JsCredentials>(this, &credentials_);
    }
    if (!on_progress.IsEmpty()) on_progress_ = Napi::Persistent(on_progress);
    // Names resolve through the worker's lookup (js_lookup.h); without one, the system's.
    if (!lookup.IsEmpty()) {
      lookup_ = Napi::Persistent(lookup);
      request_.spec.resolver = std::make_shared<JsLookup>(this, &lookup_);
    }
  }

 private:
  Error Run() override {
    const auto start = std::chrono::steady_clock::now();
    const bool wants_progress = !on_progress_.IsEmpty();
    std::chrono::steady_clock::time_point last_post;
    ClonePhase last_phase = ClonePhase::kDone;
    // Called on this (the clone's) thread only: last_post and last_phase need no lock.
    const CloneProgressFn progress = [&](const CloneProgress& p) {
      if (!wants_progress) return;
      Queue(p);
      const auto now = std::chrono::steady_clock::now();
      if (p.phase == last_phase && now - last_post < kProgressInterval) return;
      last_phase = p.phase;
      last_post = now;
      PostProgress();
    };
    Error error = CloneIntoHome(request_, cancel_, progress, &result_);
    // The last state held back by the interval goes out before the result does.
    if (wants_progress) PostProgress();
    duration_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return error;
  }

  void Queue(const CloneProgress& p) {
    std::lock_guard<std::mutex> lock(progress_mutex_);
    if (!queued_.empty() && queued_.back().phase == p.phase) {
      queued_.back() = p;
      return;
    }
    if (queued_.size() == kMaxQueuedStates) queued_.pop_front();
    queued_.push_back(p);
  }

  void OnProgress(Napi::Env env) override {
    std::deque<CloneProgress> states;
    {
      std::lock_guard<std::mutex> lock(progress_mutex_);
      states.swap(queued_);
    }
    for (const CloneProgress& p : states) Deliver(env, p);
  }

  void Deliver(Napi::Env env, const CloneProgress& p) {
    Napi::Object js = Napi::Object::New(env);
    js.Set("phase", ClonePhaseName(p.phase));
    js.Set("receivedObjects", static_cast<double>(p.received_objects));
    js.Set("totalObjects", static_cast<double>(p.total_objects));
    js.Set("receivedBytes", static_cast<double>(p.received_bytes));
    js.Set("checkedOutFiles", static_cast<double>(p.checked_out_files));
    js.Set("totalFiles", static_cast<double>(p.total_files));
    on_progress_.Call({js});
  }

  void ReleaseJs() override {
    on_progress_.Reset();
    lookup_.Reset();
    credentials_.Reset();
  }

  Napi::Value Resolve(Napi::Env env) override {
    Napi::Object report = Napi::Object::New(env);
    report.Set("commit", result_.commit);
    report.Set("ref", result_.ref);
    report.Set("receivedBytes", static_cast<double>(result_.received_bytes));
    report.Set("objects", static_cast<double>(result_.objects));
    report.Set("files", static_cast<double>(result_.files));
    report.Set("durationMs", duration_ms_);
    report.Set("shallow", result_.shallow);
    Napi::Array submodules = Napi::Array::New(env, result_.submodules.size());
    for (uint32_t i = 0; i < result_.submodules.size(); ++i) {
      const SubmoduleResult& sub = result_.submodules[i];
      Napi::Object item = Napi::Object::New(env);
      item.Set("path", sub.path);
      item.Set("commit", sub.commit);
      item.Set("shallow", sub.shallow);
      submodules.Set(i, item);
    }
    report.Set("submodules", submodules);
    return report;
  }

  Napi::Value Reject(Napi::Env env, const Error& error) override {
    Napi::Object js = ToJsError(env, error).Value();
    // A URL is reported as `url`, a filesystem path as `path`.
    if (!error.path.empty() && error.path == RedactUrl(request_.spec.url)) {
      js.Delete("path");
      js.Set("url", error.path);
    }
    return js;
  }

  CloneRequest request_;
  CancelFlag cancel_;
  Napi::FunctionReference on_progress_;
  Napi::FunctionReference lookup_;
  Napi::FunctionReference credentials_;
  std::mutex progress_mutex_;
  std::deque<CloneProgress> queued_;
  CloneResult result_;
  double duration_ms_ = 0;
};

Napi::Value CloneRepositoryJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 1, "cloneRepository(options, cancel?, onProgress?)");
  Napi::Object options = ObjectFrom(env, info[0], "cloneRepository: options");
  CloneRequest request = ReadRequest(env, options);
  CancelFlag cancel = CancelToken::FlagOf(env, info[1]);
  Napi::Function on_progress = OptionalFunctionFrom(env, info[2], "cloneRepository: onProgress");
  Napi::Function lookup = OptionalFunctionFrom(env, options.Get("lookup"), "cloneRepository: options.lookup");
  Napi::Function credentials =
      OptionalFunctionFrom(env, options.Get("credentials"), "cloneRepository: options.credentials");
  auto job = std::make_unique<CloneJob>(env, std::move(request), std::move(cancel), on_progress, lookup, credentials);
  return ThreadJob::Start(env, std::move(job), "home_native.clone", OnCloneThread);
}

// checkAllowedNetworks(list) => undefined, or the message saying which entry is not a network:
// configure() and cloneRepository() validate with the same parser the clone uses.
Napi::Value CheckAllowedNetworksJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 1, "checkAllowedNetworks(list)");
  // The shim asks before it has validated the list: a non-string entry is an answer, not a throw.
  if (!info[0].IsArray()) return Napi::String::New(env, "allowedNetworks holds CIDR strings");
  Napi::Array array = info[0].As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); ++i) {
    if (!array.Get(i).IsString()) return Napi::String::New(env, "allowedNetworks holds CIDR strings");
  }
  const std::vector<std::string> list = StringsFrom(env, array, "checkAllowedNetworks: list");
  NetworkPolicy policy;
  if (Error e = NetworkPolicy::Parse(list, &policy)) return Napi::String::New(env, e.message);
  return env.Undefined();
}

}  // namespace

void InitClone(Napi::Env env, Napi::Object exports) {
  exports.Set("cloneRepository", Napi::Function::New<CloneRepositoryJs>(env, "cloneRepository"));
  exports.Set("checkAllowedNetworks", Napi::Function::New<CheckAllowedNetworksJs>(env, "checkAllowedNetworks"));
}

}  // namespace home::addon
