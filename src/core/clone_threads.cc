#include "core/clone_threads.h"

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace home {
namespace {

// A thread with nothing to do for this long exits; a burst of clones does not leave idle
// threads behind for the life of the worker.
constexpr auto kIdleExit = std::chrono::seconds(30);
// Matches the shim's default (lib/settings.ts: clone.concurrency).
constexpr size_t kDefaultLimit = 4;

}  // namespace

struct CloneThreads::State {
  mutable std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::function<void()>> queue;
  size_t limit = kDefaultLimit;
  size_t threads = 0;  // alive
  size_t busy = 0;     // running a task
};

CloneThreads& CloneThreads::Instance() {
  static CloneThreads* const instance = std::make_unique<CloneThreads>().release();
  return *instance;
}

CloneThreads::CloneThreads() : state_(std::make_unique<State>().release()) {}

void CloneThreads::SetLimit(size_t limit) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->limit = limit == 0 ? 1 : limit;
  // Raising the limit may let queued tasks start now.
  while (state_->threads < state_->limit && state_->queue.size() > state_->threads - state_->busy) {
    ++state_->threads;
    std::thread([this] { WorkerLoop(); }).detach();
  }
  state_->wake.notify_all();
}

size_t CloneThreads::limit() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->limit;
}

void CloneThreads::Submit(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->queue.push_back(std::move(task));
  const size_t idle = state_->threads - state_->busy;
  if (idle < state_->queue.size() && state_->threads < state_->limit) {
    ++state_->threads;
    std::thread([this] { WorkerLoop(); }).detach();
  } else {
    state_->wake.notify_one();
  }
}

void CloneThreads::WorkerLoop() {
  BlockSigpipeOnThisThread();
  std::unique_lock<std::mutex> lock(state_->mutex);
  for (;;) {
    const bool woke = state_->wake.wait_for(lock, kIdleExit, [this] {
      return (!state_->queue.empty() && state_->busy < state_->limit) || state_->threads > state_->limit;
    });
    if (!woke || state_->threads > state_->limit) break;
    std::function<void()> task = std::move(state_->queue.front());
    state_->queue.pop_front();
    ++state_->busy;
    lock.unlock();
    task();
    lock.lock();
    --state_->busy;
  }
  --state_->threads;
  // Another thread may be needed for what is still queued.
  state_->wake.notify_one();
}

void BlockSigpipeOnThisThread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace home
