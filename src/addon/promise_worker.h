// The base of every addon operation that runs on the libuv threadpool and answers with a promise.
//
// Lifecycle, in order:
//   1. The entry point (JS thread) validates and copies its arguments into the worker's own plain
//      C++ fields, creates the worker and calls Queue(); it returns Promise().
//   2. Run() executes on a pool thread. It touches only the worker's fields, never `env`, never a
//      JavaScript value, and reports failure by returning a home::Error.
//   3. Back on the JS thread, Resolve() turns the fields into the promise's value, or Reject()
//      turns the error into a JavaScript Error. The worker then deletes itself.
// The resource name (`home_native.<operation>`) is what async hooks and traces show.
#pragma once

#include <napi.h>

#include <memory>

#include "addon/js_error.h"
#include "core/error.h"

namespace home::addon {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  PromiseWorker(Napi::Env env, const char* resource_name)
      : Napi::AsyncWorker(env, resource_name), deferred_(Napi::Promise::Deferred::New(env)) {}

  virtual Error Run() = 0;
  virtual Napi::Value Resolve(Napi::Env env) = 0;
  virtual Napi::Value Reject(Napi::Env env, const Error& error) { return ToJsError(env, error).Value(); }

 private:
  void Execute() final { error_ = Run(); }
  void OnOK() final {
    Napi::HandleScope scope(Env());
    if (error_) {
      deferred_.Reject(Reject(Env(), error_));
    } else {
      deferred_.Resolve(Resolve(Env()));
    }
  }
  // Only reached when Run() threw (allocation failure): AsyncWorker caught it on the pool thread.
  void OnError(const Napi::Error& error) final { deferred_.Reject(error.Value()); }

  Napi::Promise::Deferred deferred_;
  Error error_;
};

// Queues `worker` and returns its promise. From here on the worker owns itself: AsyncWorker deletes
// it after Resolve/Reject.
template <typename Worker>
Napi::Promise QueueWorker(std::unique_ptr<Worker> worker) {
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  worker.release();
  return promise;
}

}  // namespace home::addon
