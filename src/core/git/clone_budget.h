// What one clone may cost, what it has cost so far, and the one place that says whether it may go
// on. The user chooses the repository, and the clone runs on the worker host: every limit here is
// what stands between a hostile repository (a git bomb of 10^10 files in 12 objects, 3 MB of zlib
// that inflates to 3 GB, an endless ref advertisement) and the worker's disk, memory and threads.
//
// One budget covers a clone's whole tree: each fetch and each tree walk of the clone, its
// submodules' included, draws on the same counters, on one thread at a time (Cancel excepted,
// which any thread may trigger through the shared CancelFlag).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/base/cancel.h"
#include "core/base/error.h"
#include "core/git/heap_account.h"

namespace home {

// How often a clone thread that waits (on a socket, on a name lookup) looks at its budget: an
// abort or the deadline is noticed within this, at the cost of a wakeup per interval.
constexpr std::chrono::milliseconds kBudgetCheckInterval{50};

// 0 means no limit, for each. The names in the comments are the options that set them (the
// shim's cloneRepository options and configure({ clone }) settings); errors quote them.
struct CloneLimits {
  uint64_t max_files = 0;           // maxFiles: entries in the checkout (files, links, directories, gitlinks)
  uint64_t max_checkout_bytes = 0;  // maxCheckoutBytes: sum of the blob sizes checked out
  uint64_t max_file_bytes = 0;      // maxFileBytes: the largest blob (and any object of the pack)
  uint64_t max_received_bytes = 0;  // maxBytes: off the network, framing included
  uint64_t max_memory_bytes = 0;    // maxMemoryBytes: libgit2's live heap on the clone's thread
  std::chrono::milliseconds timeout{0};  // timeoutMs: the whole clone
};

class CloneBudget {
 public:
  using Clock = std::chrono::steady_clock;

  // `shown_url`: the redacted URL, the `path` of errors about the whole clone. The deadline
  // starts now.
  CloneBudget(const CloneLimits& limits, CancelFlag cancel, std::string shown_url);
  CloneBudget(const CloneBudget&) = delete;
  CloneBudget& operator=(const CloneBudget&) = delete;

  // The reason the clone must stop (ERR_ABORTED, ERR_CLONE_TIMEOUT, ERR_CLONE_TOO_LARGE), or ok.
  // The first reason sticks: every later call returns it.
  const Error& Check();
  bool ShouldStop() { return !Check().ok(); }

  // Counters; each returns Check()'s answer, with the crossed limit as the reason when this call
  // crossed one. `path` is the entry's path in the repository.
  const Error& CountEntry(const std::string& path);
  const Error& CountBlob(uint64_t size, const std::string& path);
  // An object of the pack being fetched (a file, or a commit or tree, which libgit2 parses whole)
  // announces `size` bytes (odb_guard.h): over maxFileBytes it is refused before it is inflated.
  const Error& CountPackObject(uint64_t size);
  // Every byte read from the network, as the socket stream sees it.
  void CountReceived(uint64_t bytes) { socket_bytes_ += bytes; }
  // The pack's size as the indexer counts it: transports that bypass our socket stream (ssh)
  // still meet the limit.
  void NotePackBytes(uint64_t bytes) {
    if (bytes > pack_bytes_) pack_bytes_ = bytes;
  }

  // For a reason that is not a limit (a rejected certificate): it sticks like the others.
  void Stop(Error reason);

  HeapAccount& heap() { return heap_; }
  const CancelFlag& cancel() const { return cancel_; }
  Clock::time_point deadline() const { return deadline_; }
  const CloneLimits& limits() const { return limits_; }
  uint64_t entries() const { return entries_; }
  uint64_t checkout_bytes() const { return checkout_bytes_; }
  uint64_t received_bytes() const { return socket_bytes_ > pack_bytes_ ? socket_bytes_ : pack_bytes_; }

 private:
  const Error& TooLarge(const char* option, uint64_t limit, const std::string& what, std::string path);

  CloneLimits limits_;
  CancelFlag cancel_;
  std::string shown_url_;
  Clock::time_point deadline_ = Clock::time_point::max();
  HeapAccount heap_;
  uint64_t entries_ = 0;
  uint64_t checkout_bytes_ = 0;
  uint64_t socket_bytes_ = 0;
  uint64_t pack_bytes_ = 0;
  Error stop_;
};

}  // namespace home
