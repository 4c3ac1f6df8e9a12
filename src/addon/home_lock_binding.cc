// acquireHomeLock(stagingDir, homeDir, cancel) => Promise<HomeLock>; HomeLock#release(),
// HomeLock#held, HomeLock#recovered.
// The first attempt runs on a home-io thread: it creates the staging area and the lock file
// when they are missing, which on a busy disk takes milliseconds, and 200 of them must not run
// on the JS thread when a worker starts 200 materializations at once. Only when another holder
// has the lock does the job move to a thread of its own to wait: the wait may last as long as
// another materialization (minutes), so it must hold no slot of a set (a waiter in a clone or
// home-io slot could starve the very job whose end it waits for). A waiting thread sleeps
// between polls and costs no CPU.

#include "addon/addon_data.h"
#include "addon/bindings.h"
#include "addon/cancel_token.h"
#include "addon/js_args.h"
#include "addon/js_error.h"
#include "addon/thread_job.h"
#include "core/home/home_lock.h"

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

class HomeLockJob : public ThreadJob {
 public:
  HomeLockJob(Napi::Env env, std::string staging, std::string home, CancelFlag cancel)
      : ThreadJob(env), staging_(std::move(staging)), home_(std::move(home)), cancel_(std::move(cancel)) {}

 private:
  Error Run() override {
    // The wait checks the cancel flag before every attempt; the first attempt does not wait.
    if (waiting_) return LockHome(staging_, home_, cancel_, &lock_);
    bool acquired = false;
    if (Error e = TryLockHome(staging_, home_, &lock_, &acquired)) return e;
    if (!acquired) {
      waiting_ = true;
      ContinueOn(OnOwnThread);
    }
    return {};
  }
  Napi::Value Resolve(Napi::Env env) override { return HomeLockWrap::Wrap(env, std::move(lock_)); }

  std::string staging_, home_;
  CancelFlag cancel_;
  HomeLock lock_;
  bool waiting_ = false;
};

Napi::Value AcquireHomeLockJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 2, "acquireHomeLock(stagingDir: string, homeDir: string, cancel?)");
  const std::string staging = StringFrom(env, info[0], "acquireHomeLock: stagingDir");
  const std::string home = StringFrom(env, info[1], "acquireHomeLock: homeDir");
  CancelFlag cancel = CancelToken::FlagOf(env, info[2]);
  auto job = std::make_unique<HomeLockJob>(env, staging, home, std::move(cancel));
  return ThreadJob::Start(env, std::move(job), "home_native.lock", OnHomeIoThread);
}

}  // namespace

void InitHomeLock(Napi::Env env, Napi::Object exports) {
  HomeLockWrap::Init(env, exports);
  exports.Set("acquireHomeLock", Napi::Function::New<AcquireHomeLockJs>(env, "acquireHomeLock"));
}

}  // namespace home::addon
