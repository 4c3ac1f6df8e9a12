// The base of every asynchronous addon operation. None runs on the libuv threadpool, which the
// worker's own fs, dns and crypto calls share (core/base/task_threads.h): each runs on a thread the
// operation chooses (a home-io thread, a clone thread, or one of its own for a wait of unbounded
// length), and reports progress and completion back to JavaScript through one
// ThreadSafeFunction.
//
// Lifecycle, in order:
//   1. The entry point (JS thread) copies its arguments into the job's plain C++ fields and calls
//      Start(), which returns the promise. From then on the job's thread and the
//      ThreadSafeFunction share it (below).
//   2. Run() executes on the chosen thread. It touches only the job's fields, never `env`, never
//      a JavaScript value, and reports failure by returning a home::Error. It may call
//      PostProgress(); progress is coalesced: at most one delivery is pending at a time, and it
//      carries the latest state (OnProgress reads it on the JS thread). It may call ContinueOn()
//      to be run again on another kind of thread (a quick attempt that turns into a long wait).
//      It may call RunOnJs() to have something done on the JS thread (ask the worker's resolver)
//      and wait for the answer itself, in ticks, so that its own deadline still holds.
//   3. Back on the JS thread, Resolve() or Reject() settles the promise; the ThreadSafeFunction
//      is released and finalized, and ReleaseJs() drops the job's JavaScript references.
// The job is shared by its thread and the ThreadSafeFunction and dies with the last of them. When
// the environment goes away first (a worker_threads Worker terminated mid-clone), Node finalizes
// and frees the ThreadSafeFunction at once, while the thread may still be running; the finalizer
// marks the link closed, and the thread then never touches the freed function: it finishes, and
// drops the job (a lock it took is released by the job's destructor).
// The resource name (`home_native.<operation>`) is what async hooks and traces show.
#pragma once

#include <napi.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include "addon/js_error.h"
#include "core/base/error.h"

namespace home::addon {

class ThreadJob {
 public:
  using Dispatch = void (*)(std::function<void()> task);
  virtual ~ThreadJob() = default;

  // Hands `job` to `dispatch` (which runs the task on some non-libuv thread) and returns the
  // promise that settles when Run() has returned.
  static Napi::Promise Start(Napi::Env env, std::shared_ptr<ThreadJob> job, const char* resource_name,
                             Dispatch dispatch);

  // Any thread: runs `task` on the JS thread, after the progress and tasks posted before it.
  // False when the environment is gone (the task is dropped unrun).
  bool RunOnJs(std::function<void(Napi::Env)> task);
  // Any thread: whether the JS side can still be reached (RunOnJs's tasks will run).
  bool JsReachable();

 protected:
  explicit ThreadJob(Napi::Env env) : deferred_(Napi::Promise::Deferred::New(env)) {}

  virtual Error Run() = 0;
  virtual Napi::Value Resolve(Napi::Env env) = 0;
  virtual Napi::Value Reject(Napi::Env env, const Error& error) { return ToJsError(env, error).Value(); }
  // JS thread; called for the coalesced progress that PostProgress() scheduled.
  virtual void OnProgress(Napi::Env) {}
  // JS thread, once, when the ThreadSafeFunction is finalized: drop every JavaScript reference
  // (their destructors must not run on the job's thread, maybe after the environment is gone).
  virtual void ReleaseJs() {}

  // Any thread: schedule an OnProgress() unless one is already pending.
  void PostProgress();
  // From Run(): once it returns, run it again through `dispatch` instead of settling the promise.
  void ContinueOn(Dispatch dispatch) { continue_on_ = dispatch; }

 private:
  enum class Message { kProgress, kTask, kDone };
  // The ThreadSafeFunction's context: its share of the job.
  using Owner = std::shared_ptr<ThreadJob>;
  static void CallJs(Napi::Env env, Napi::Function, Owner* owner, Message* message);
  using Tsfn = Napi::TypedThreadSafeFunction<Owner, Message, &ThreadJob::CallJs>;
  static void Execute(const std::shared_ptr<ThreadJob>& self);
  // Any thread: sends `message` unless the link is closed; false when it was not sent.
  bool Send(Message* message);

  Napi::Promise::Deferred deferred_;
  Tsfn tsfn_;
  // Guards tsfn_ against the finalizer: open until the ThreadSafeFunction is finalized.
  std::mutex link_mutex_;
  bool link_open_ = true;
  std::atomic<bool> progress_pending_{false};
  // RunOnJs's tasks, one kTask message each (guarded by link_mutex_).
  std::deque<std::function<void(Napi::Env)>> tasks_;
  Dispatch continue_on_ = nullptr;
  Error error_;
};

// Where a job runs: ThreadJob::Start's `dispatch`.
// Short filesystem work on a home (core/base/task_threads.h: TaskThreads::HomeIo()).
void OnHomeIoThread(std::function<void()> task);
// A network clone (TaskThreads::Clones(), capped by clone.concurrency).
void OnCloneThread(std::function<void()> task);
// A wait of unbounded length (another holder's lock): a thread of its own, so that it holds no
// slot of a set, where it could starve the very job whose end it waits for.
void OnOwnThread(std::function<void()> task);

}  // namespace home::addon
