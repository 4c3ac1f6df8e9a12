// An answer that another thread gives and a clone's thread waits for, looking at the clone's
// budget while it waits: the system resolver's helper thread, or the worker's lookup or
// credentials function on the JS thread. Held by both through a std::shared_ptr, so an answer
// that comes after the clone gave up lands in state nobody reads any more.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "core/base/error.h"
#include "core/git/clone_budget.h"

namespace home {

template <typename T>
class PendingAnswer {
 public:
  enum class Waited { kAnswered, kFailed, kStopped, kGone };

  // The first answer counts (a function that calls back twice is ignored the second time).
  // `failure` empty: `value` is the answer; else it says why there is none.
  void Settle(std::string failure, T value = T()) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (done_) return;
    done_ = true;
    failure_ = std::move(failure);
    value_ = std::move(value);
    ready_.notify_all();
  }

  // Waits in intervals of kBudgetCheckInterval that check `budget` (kStopped: `*stop` is its
  // reason) and `still_possible` when given (kGone: no answer can come any more). kAnswered moves
  // the answer to `*out`; kFailed puts the failure in `*failure`.
  Waited Wait(CloneBudget& budget, const std::function<bool()>& still_possible, T* out, std::string* failure,
              Error* stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!ready_.wait_for(lock, kBudgetCheckInterval, [&] { return done_; })) {
      lock.unlock();
      if (const Error& reason = budget.Check()) {
        *stop = reason;
        return Waited::kStopped;
      }
      if (still_possible && !still_possible()) return Waited::kGone;
      lock.lock();
    }
    if (!failure_.empty()) {
      *failure = failure_;
      return Waited::kFailed;
    }
    *out = std::move(value_);
    return Waited::kAnswered;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  bool done_ = false;
  std::string failure_;
  T value_{};
};

}  // namespace home
