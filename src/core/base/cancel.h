// A cancellation flag shared between the thread that asks (JavaScript's AbortSignal, through the
// addon) and the worker thread that checks it between steps. Copies share one flag.
#pragma once

#include <atomic>
#include <memory>

namespace home {

class CancelFlag {
 public:
  CancelFlag() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  void Cancel() const { flag_->store(true, std::memory_order_relaxed); }
  bool cancelled() const { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

}  // namespace home
