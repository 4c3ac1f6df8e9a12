#include "addon/thread_job.h"

namespace home::addon {
namespace {

// The two message kinds are constants; the queue carries pointers to them, never owned data.
constexpr size_t kUnlimitedQueue = 0;  // coalescing keeps it at <= 2 entries anyway
constexpr size_t kOneThread = 1;       // the thread that runs the job

}  // namespace

Napi::Promise ThreadJob::Start(Napi::Env env, std::unique_ptr<ThreadJob> job, const char* resource_name,
                               Dispatch dispatch) {
  Napi::Promise promise = job->deferred_.Promise();
  ThreadJob* raw = job.release();  // owned by the ThreadSafeFunction from here on
  raw->tsfn_ = Tsfn::New(env, resource_name, kUnlimitedQueue, kOneThread, raw,
                         [](Napi::Env, void*, ThreadJob* context) { delete context; });
  dispatch([raw] { raw->Execute(); });
  return promise;
}

void ThreadJob::Execute() {
  error_ = Run();
  static Message done = Message::kDone;
  tsfn_.BlockingCall(&done);
  // The job may be deleted as soon as this returns: nothing touches it afterwards.
  tsfn_.Release();
}

void ThreadJob::PostProgress() {
  static Message progress = Message::kProgress;
  if (progress_pending_.exchange(true)) return;
  if (tsfn_.NonBlockingCall(&progress) != napi_ok) progress_pending_ = false;
}

void ThreadJob::CallJs(Napi::Env env, Napi::Function, ThreadJob* job, Message* message) {
  if (env == nullptr) return;  // the environment is shutting down: nobody is listening
  Napi::HandleScope scope(env);
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

}  // namespace home::addon
