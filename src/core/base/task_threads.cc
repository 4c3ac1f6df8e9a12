#include "core/base/task_threads.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace home {
namespace {

// A thread with nothing to do for this long exits; a burst of materializations does not leave
// idle threads behind for the life of the worker.
constexpr auto kIdleExit = std::chrono::seconds(30);
// Matches the shim's default (lib/settings.ts: clone.concurrency).
constexpr size_t kDefaultCloneLimit = 4;
// Until the shim sets ioConcurrency (lib/settings.ts, applied when the addon loads): as many as
// libuv's default pool.
constexpr size_t kHomeIoLimit = 4;

}  // namespace

struct TaskThreads::State {
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> queue;
  std::string name;
  size_t limit = 1;
  size_t threads = 0;  // alive
  size_t busy = 0;     // running a task
};

TaskThreads& TaskThreads::Clones() {
  static TaskThreads* const instance = std::make_unique<TaskThreads>(kDefaultCloneLimit, "home-clone").release();
  return *instance;
}

TaskThreads& TaskThreads::HomeIo() {
  static TaskThreads* const instance = std::make_unique<TaskThreads>(kHomeIoLimit, "home-io").release();
  return *instance;
}

TaskThreads::TaskThreads(size_t limit, const char* name) : state_(std::make_shared<State>()) {
  state_->name = std::string(name).substr(0, 15);
  state_->limit = limit == 0 ? 1 : limit;
}

void TaskThreads::SetLimit(size_t limit) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->limit = limit == 0 ? 1 : limit;
  // Raising the limit may let queued tasks start now.
  while (state_->threads < state_->limit && state_->queue.size() > state_->threads - state_->busy) {
    ++state_->threads;
    std::thread(WorkerLoop, state_).detach();
  }
  state_->wake.notify_all();
}

void TaskThreads::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->queue.push_back(std::move(task));
  const size_t idle = state_->threads - state_->busy;
  if (idle < state_->queue.size() && state_->threads < state_->limit) {
    ++state_->threads;
    std::thread(WorkerLoop, state_).detach();
  } else {
    state_->wake.notify_one();
  }
}

void TaskThreads::WorkerLoop(std::shared_ptr<State> state) {
  BlockSigpipeOnThisThread();
#ifdef __APPLE__
  pthread_setname_np(state->name.c_str());
#else
  pthread_setname_np(pthread_self(), state->name.c_str());
#endif
  std::unique_lock<std::mutex> lock(state->mutex);
  for (;;) {
    const bool woke = state->wake.wait_for(lock, kIdleExit, [&] {
      return (!state->queue.empty() && state->busy < state->limit) || state->threads > state->limit;
    });
    if (!woke || state->threads > state->limit) break;
    std::function<void()> task = std::move(state->queue.front());
    state->queue.pop_front();
    ++state->busy;
    lock.unlock();
    task();
    lock.lock();
    --state->busy;
  }
  --state->threads;
  // Another thread may be needed for what is still queued.
  state->wake.notify_one();
}

void BlockSigpipeOnThisThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace home
