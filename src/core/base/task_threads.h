// The addon's own threads. Nothing the addon does in the background runs on the libuv
// threadpool: its 4 threads (by default) are shared by every fs, dns and crypto call of the
// worker, and a burst of 200 materializations would otherwise queue a thousand file jobs ahead
// of the worker's own (a DNS lookup waiting seconds behind fsyncs), and a few minute-long clones
// would stall it outright. Each set runs at most `limit` tasks at once; the rest wait in a FIFO
// queue. Threads start on demand and exit after a while without work.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace home {

class TaskThreads {
 public:
  // The process-wide sets. Never destroyed: their detached threads may still be finishing a task
  // while static destructors run at exit.
  //   Clones(): network clones, which take seconds to minutes; the limit is the shim's
  //             clone.concurrency.
  //   HomeIo(): the short filesystem jobs on homes (overlay batches, the profile, the marker,
  //             the lock's first attempt, debris sweeps). An overlay batch of hundreds of files
  //             adds a few writer threads of its own for its length (core/home/overlay_writer.h).
  static TaskThreads& Clones();
  static TaskThreads& HomeIo();

  // `name` (at most 15 bytes) is what ps, top and perf show for the threads.
  TaskThreads(size_t limit, const char* name);
  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;

  // At most `limit` tasks run at once (>= 1). Lowering it lets running tasks finish.
  void SetLimit(size_t limit);

  // Runs `task` on one of the threads, now or when a slot frees up. `task` must not throw.
  void Submit(std::function<void()> task);

 private:
  struct State;
  static void WorkerLoop(std::shared_ptr<State> state);
  // Shared with the threads: an idle thread outlives its last task by up to a grace period.
  std::shared_ptr<State> state_;
};

// Blocks SIGPIPE on the calling thread: a peer that closes a socket mid-transfer must make
// write() fail with EPIPE (libgit2 reports it), not kill the process. Every thread of a set
// blocks it.
void BlockSigpipeOnThisThread();

}  // namespace home
