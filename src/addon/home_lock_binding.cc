// acquireHomeLock(stagingDir, homeDir, cancel) => Promise<HomeLock>; HomeLock#release(),
// HomeLock#held, HomeLock#recovered.
// The first attempt happens right here on the JS thread: it is an open() and one non-blocking
// fcntl(), cheaper than any thread hop, and the uncontended case is the common one. Only when
// another holder has the lock does a waiter start, on a thread of its own: the wait may last as
// long as another materialization (minutes), so it must hold neither a libuv pool thread nor a
// clone slot — a waiter in a clone slot could starve the very clone whose end it waits for.
// A waiting thread sleeps between polls and costs no CPU.
#include <thread>

#include "addon/addon_data.h"
#include "addon/bindings.h"
#include "addon/cancel_token.h"
#include "addon/js_error.h"
#include "addon/thread_job.h"
#include "core/home_lock.h"

namespace home::addon {
namespace {

class HomeLockWrap : public Napi::ObjectWrap<HomeLockWrap> {
 public:
  static void Init(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(env, "HomeLock", {InstanceMethod<&HomeLockWrap::Release>("release"),
                                                        InstanceAccessor<&HomeLockWrap::Held>("held"),
                                                        InstanceAccessor<&HomeLockWrap::Recovered>("recovered")});
    AddonData::Of(env).home_lock_ctor = Napi::Persistent(ctor);
    exports.Set("HomeLock", ctor);
  }
  explicit HomeLockWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<HomeLockWrap>(info) {}

  static Napi::Object Wrap(Napi::Env env, HomeLock lock) {
    Napi::Object object = AddonData::Of(env).home_lock_ctor.New({});
    Unwrap(object)->lock_ = std::move(lock);
    return object;
  }

 private:
  // Idempotent. Garbage collection releases a forgotten lock too, but late: callers release.
  void Release(const Napi::CallbackInfo&) { lock_.Release(); }
  Napi::Value Held(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), lock_.held()); }
  // The previous holder died holding the lock (HomeLock::recovered): sweep before writing.
  Napi::Value Recovered(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), lock_.recovered()); }

  HomeLock lock_;
};

class LockWaitJob : public ThreadJob {
 public:
  LockWaitJob(Napi::Env env, std::string staging, std::string home, CancelFlag cancel)
      : ThreadJob(env), staging_(std::move(staging)), home_(std::move(home)), cancel_(std::move(cancel)) {}

 private:
  Error Run() override { return LockHome(staging_, home_, cancel_, &lock_); }
  Napi::Value Resolve(Napi::Env env) override { return HomeLockWrap::Wrap(env, std::move(lock_)); }

  std::string staging_, home_;
  CancelFlag cancel_;
  HomeLock lock_;
};

void OnOwnThread(std::function<void()> task) { std::thread(std::move(task)).detach(); }

Napi::Value AcquireHomeLockJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    ThrowArgError(env, "acquireHomeLock(stagingDir: string, homeDir: string, cancel?)");
  }
  const std::string staging = info[0].As<Napi::String>().Utf8Value();
  const std::string home = info[1].As<Napi::String>().Utf8Value();
  CancelFlag cancel = CancelToken::FlagOf(env, info[2]);
  auto deferred = Napi::Promise::Deferred::New(env);
  if (cancel.cancelled()) {
    deferred.Reject(ToJsError(env, MakeError("ERR_ABORTED", "waiting for the home's lock was aborted", home)).Value());
    return deferred.Promise();
  }
  HomeLock lock;
  bool acquired = false;
  if (Error e = TryLockHome(staging, home, &lock, &acquired)) {
    deferred.Reject(ToJsError(env, e).Value());
    return deferred.Promise();
  }
  if (acquired) {
    deferred.Resolve(HomeLockWrap::Wrap(env, std::move(lock)));
    return deferred.Promise();
  }
  auto job = std::make_unique<LockWaitJob>(env, staging, home, std::move(cancel));
  return ThreadJob::Start(env, std::move(job), "home_native.lock_wait", OnOwnThread);
}

}  // namespace

void InitHomeLock(Napi::Env env, Napi::Object exports) {
  HomeLockWrap::Init(env, exports);
  exports.Set("acquireHomeLock", Napi::Function::New<AcquireHomeLockJs>(env, "acquireHomeLock"));
}

}  // namespace home::addon
