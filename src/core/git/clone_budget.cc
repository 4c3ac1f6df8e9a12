#include "core/git/clone_budget.h"

namespace home {

CloneBudget::CloneBudget(const CloneLimits& limits, CancelFlag cancel, std::string shown_url)
    : limits_(limits), cancel_(std::move(cancel)), shown_url_(std::move(shown_url)), heap_(limits.max_memory_bytes) {
  if (limits_.timeout.count() > 0) deadline_ = Clock::now() + limits_.timeout;
}

const Error& CloneBudget::Check() {
  if (stop_) return stop_;
  if (cancel_.cancelled()) {
    stop_ = MakeError("ERR_ABORTED", "the clone was aborted", shown_url_);
  } else if (Clock::now() > deadline_) {
    stop_ = MakeError("ERR_CLONE_TIMEOUT", "the clone took longer than " + std::to_string(limits_.timeout.count()) + " ms",
                      shown_url_);
  } else if (limits_.max_received_bytes != 0 && received_bytes() > limits_.max_received_bytes) {
    return TooLarge("maxBytes", limits_.max_received_bytes, "received bytes: " + std::to_string(received_bytes()),
                    shown_url_);
  } else if (heap_.refused()) {
    return TooLarge("maxMemoryBytes", limits_.max_memory_bytes,
                    "bytes of memory: libgit2 asked for " + std::to_string(heap_.refused_size()) + " with " +
                        std::to_string(heap_.live_when_refused()) + " in use",
                    shown_url_);
  }
  return stop_;
}

const Error& CloneBudget::CountEntry(const std::string& path) {
  ++entries_;
  if (limits_.max_files != 0 && entries_ > limits_.max_files && !stop_) {
    return TooLarge("maxFiles", limits_.max_files, "entries: counted " + std::to_string(entries_) + " at " + path,
                    shown_url_);
  }
  return stop_;
}

const Error& CloneBudget::CountBlob(uint64_t size, const std::string& path) {
  if (stop_) return stop_;
  if (limits_.max_file_bytes != 0 && size > limits_.max_file_bytes) {
    return TooLarge("maxFileBytes", limits_.max_file_bytes, "bytes in one file: " + path + " has " + std::to_string(size),
                    path);
  }
  checkout_bytes_ += size;
  if (limits_.max_checkout_bytes != 0 && checkout_bytes_ > limits_.max_checkout_bytes) {
    return TooLarge("maxCheckoutBytes", limits_.max_checkout_bytes,
                    "bytes checked out: counted " + std::to_string(checkout_bytes_) + " at " + path, shown_url_);
  }
  return stop_;
}

const Error& CloneBudget::CountPackObject(uint64_t size) {
  if (stop_ || limits_.max_file_bytes == 0 || size <= limits_.max_file_bytes) return stop_;
  return TooLarge("maxFileBytes", limits_.max_file_bytes,
                  "bytes in one object: the pack announces " + std::to_string(size), shown_url_);
}

void CloneBudget::Stop(Error reason) {
  if (!stop_) stop_ = std::move(reason);
}

const Error& CloneBudget::TooLarge(const char* option, uint64_t limit, const std::string& what, std::string path) {
  if (!stop_) {
    stop_ = MakeError("ERR_CLONE_TOO_LARGE",
                      std::string("the repository exceeds ") + option + " (" + std::to_string(limit) + " " + what + ")",
                      std::move(path));
  }
  return stop_;
}

}  // namespace home
