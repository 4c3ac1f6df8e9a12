// The addon's own threads for clones. A network clone can take minutes; on the libuv threadpool
// (4 threads by default) a few of them would stall every fs, dns and crypto call of the worker.
// Tasks beyond the concurrency limit wait in a FIFO queue.
#pragma once

#include <cstddef>
#include <functional>

namespace home {

class CloneThreads {
 public:
  // The process-wide set. Never destroyed: its detached threads may still be finishing a task
  // while static destructors run at exit.
  static CloneThreads& Instance();

  // At most `limit` tasks run at once (>= 1). Lowering it lets running tasks finish.
  void SetLimit(size_t limit);
  size_t limit() const;

  // Runs `task` on one of the threads, now or when a slot frees up. `task` must not throw.
  void Submit(std::function<void()> task);

  CloneThreads();
  CloneThreads(const CloneThreads&) = delete;
  CloneThreads& operator=(const CloneThreads&) = delete;

 private:
  struct State;
  void WorkerLoop();
  State* state_;  // owned by the never-destroyed instance
};

// Blocks SIGPIPE on the calling thread: a peer that closes a socket mid-transfer must make
// write() fail with EPIPE (libgit2 reports it), not kill the process. Used by every thread that
// runs a clone.
void BlockSigpipeOnThisThread();

}  // namespace home
