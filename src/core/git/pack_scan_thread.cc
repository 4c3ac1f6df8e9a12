#include "core/git/pack_scan_thread.h"

#include <pthread.h>

#include <utility>

namespace home {

PackScanThread::PackScanThread(uint64_t max_object_bytes, PackObjectCache* cache)
    : scanner_(max_object_bytes, cache), thread_([this] { Run(); }) {}

PackScanThread::~PackScanThread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PackScanThread::Run() {
  pthread_setname_np(pthread_self(), "home-pack-scan");
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return busy_ || stopping_; });
    if (stopping_) return;
    lock.unlock();
    // The chunk is the scanner's alone while busy_: no lock held across the inflate.
    const bool ok = scanner_.Feed(scanning_.data(), scanning_.size());
    lock.lock();
    if (!ok) refused_ = true;
    busy_ = false;
    wake_.notify_all();
  }
}

const std::vector<unsigned char>* PackScanThread::Pass(const unsigned char* data, size_t size) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return !busy_; });
    if (refused_) return nullptr;
    // Idle: scanning_ holds chunk k-1, passed; passed_ the chunk the indexer already took.
    std::swap(scanning_, passed_);
    scanning_.assign(data, data + size);
    busy_ = true;
  }
  wake_.notify_all();
  return &passed_;
}

const std::vector<unsigned char>* PackScanThread::Finish() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [this] { return !busy_; });
  return refused_ ? nullptr : &scanning_;
}

}  // namespace home
