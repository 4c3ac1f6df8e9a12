#include "addon/thread_job.h"

#include <thread>
#include <utility>

#include "core/base/task_threads.h"

namespace home::addon {
namespace {

// The two message kinds are constants; the queue carries pointers to them, never owned data.
constexpr size_t kUnlimitedQueue = 0;  // coalescing keeps it at <= 2 entries anyway
constexpr size_t kOneThread = 1;       // the thread that runs the job

}  // namespace

Napi::Promise ThreadJob::Start(Napi::Env env, std::shared_ptr<ThreadJob> job, const char* resource_name,
                               Dispatch dispatch) {
  Napi::Promise promise = job->deferred_.Promise();
  auto owner = std::make_unique<Owner>(job);
  job->tsfn_ = Tsfn::New(env, resource_name, kUnlimitedQueue, kOneThread, owner.get(), [](Napi::Env, void*, Owner* share) {
    std::unique_ptr<Owner> released(share);
    ThreadJob& job = **share;
    std::lock_guard<std::mutex> lock(job.link_mutex_);
    job.link_open_ = false;
    job.ReleaseJs();
  });
  owner.release();  // the ThreadSafeFunction's share from here on: its finalizer frees it
  dispatch([job = std::move(job)] { Execute(job); });
  return promise;
}

void ThreadJob::Execute(const std::shared_ptr<ThreadJob>& self) {
  self->error_ = self->Run();
  if (Dispatch next = std::exchange(self->continue_on_, nullptr)) {
    next([self] { Execute(self); });
    return;
  }
  static Message done = Message::kDone;
  std::lock_guard<std::mutex> lock(self->link_mutex_);
  if (!self->link_open_) return;  // the environment is gone: nobody to tell
  self->tsfn_.BlockingCall(&done);  // an unlimited queue: never blocks
  self->tsfn_.Release();
}

bool ThreadJob::Send(Message* message) {
  std::lock_guard<std::mutex> lock(link_mutex_);
  return link_open_ && tsfn_.NonBlockingCall(message) == napi_ok;
}

void ThreadJob::PostProgress() {
  static Message progress = Message::kProgress;
  if (progress_pending_.exchange(true)) return;
  if (!Send(&progress)) progress_pending_ = false;
}

bool ThreadJob::RunOnJs(std::function<void(Napi::Env)> task) {
  static Message run = Message::kTask;
  std::lock_guard<std::mutex> lock(link_mutex_);
  if (!link_open_) return false;
  tasks_.push_back(std::move(task));
  if (tsfn_.NonBlockingCall(&run) == napi_ok) return true;
  tasks_.pop_back();
  return false;
}

bool ThreadJob::JsReachable() {
  std::lock_guard<std::mutex> lock(link_mutex_);
  return link_open_;
}

void ThreadJob::CallJs(Napi::Env env, Napi::Function, Owner* owner, Message* message) {
  if (env == nullptr) return;  // the environment is shutting down: nobody is listening
  ThreadJob* job = owner->get();
  Napi::HandleScope scope(env);
  if (*message == Message::kTask) {
    std::function<void(Napi::Env)> task;
    {
      std::lock_guard<std::mutex> lock(job->link_mutex_);
      if (job->tasks_.empty()) return;
      task = std::move(job->tasks_.front());
      job->tasks_.pop_front();
    }
    try {
      task(env);
    } catch (const Napi::Error&) {
      // A task reports its own failures to the thread that waits for it (js_lookup.cc).
    }
    return;
  }
  if (*message == Message::kProgress) {
    job->progress_pending_ = false;
    try {
      job->OnProgress(env);
    } catch (const Napi::Error&) {
      // A throwing progress listener must not take the clone down; the shim guards its own.
    }
    return;
  }
  try {
    if (job->error_) {
      job->deferred_.Reject(job->Reject(env, job->error_));
    } else {
      job->deferred_.Resolve(job->Resolve(env));
    }
  } catch (const Napi::Error& error) {
    job->deferred_.Reject(error.Value());
  }
}

void OnHomeIoThread(std::function<void()> task) { TaskThreads::HomeIo().Submit(std::move(task)); }

void OnCloneThread(std::function<void()> task) { TaskThreads::Clones().Submit(std::move(task)); }

void OnOwnThread(std::function<void()> task) {
  std::thread([task = std::move(task)] {
    BlockSigpipeOnThisThread();
    task();
  }).detach();
}

}  // namespace home::addon
