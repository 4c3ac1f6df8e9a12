// The base of every addon operation that must NOT run on the libuv threadpool (a clone that
// takes minutes, a wait for a lock): it runs on a thread the operation chooses, and reports
// progress and completion back to JavaScript through one ThreadSafeFunction.
//
// Lifecycle, in order:
//   1. The entry point (JS thread) copies its arguments into the job's plain C++ fields and calls
//      Start(), which returns the promise. From then on the ThreadSafeFunction owns the job.
//   2. Run() executes on the chosen thread. It touches only the job's fields, never `env`, never
//      a JavaScript value, and reports failure by returning a home::Error. It may call
//      PostProgress(); progress is coalesced: at most one delivery is pending at a time, and it
//      carries the latest state (OnProgress reads it on the JS thread).
//   3. Back on the JS thread, Resolve() or Reject() settles the promise; the ThreadSafeFunction
//      is released and its finalizer deletes the job.
// The resource name (`home_native.<operation>`) is what async hooks and traces show.
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>

#include "addon/js_error.h"
#include "core/error.h"

namespace home::addon {

class ThreadJob {
 public:
  using Dispatch = void (*)(std::function<void()> task);
  virtual ~ThreadJob() = default;

  // Hands `job` to `dispatch` (which runs the task on some non-libuv thread) and returns the
  // promise that settles when Run() has returned.
  static Napi::Promise Start(Napi::Env env, std::unique_ptr<ThreadJob> job, const char* resource_name,
                             Dispatch dispatch);

 protected:
  explicit ThreadJob(Napi::Env env) : deferred_(Napi::Promise::Deferred::New(env)) {}

  virtual Error Run() = 0;
  virtual Napi::Value Resolve(Napi::Env env) = 0;
  virtual Napi::Value Reject(Napi::Env env, const Error& error) { return ToJsError(env, error).Value(); }
  // JS thread; called for the coalesced progress that PostProgress() scheduled.
  virtual void OnProgress(Napi::Env) {}

  // Any thread: schedule an OnProgress() unless one is already pending.
  void PostProgress();

 private:
  enum class Message { kProgress, kDone };
  static void CallJs(Napi::Env env, Napi::Function, ThreadJob* job, Message* message);
  using Tsfn = Napi::TypedThreadSafeFunction<ThreadJob, Message, &ThreadJob::CallJs>;
  void Execute();

  Napi::Promise::Deferred deferred_;
  Tsfn tsfn_;
  std::atomic<bool> progress_pending_{false};
  Error error_;
};

}  // namespace home::addon
