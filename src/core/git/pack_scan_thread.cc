#include "core/git/pack_scan_thread.h"

#include <pthread.h>

#include <utility>

#include "core/git/pack_object_cache.h"

namespace home {

PackScanThread::PackScanThread(uint64_t max_object_bytes, PackObjectCache* cache)
    : scanner_(max_object_bytes, cache), cache_(cache), thread_([this] { Run(); }) {}

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

ScanProgress PackScanThread::Snapshot() const {
  ScanProgress p;
  p.objects = scanner_.objects_seen();
  p.total = scanner_.objects_total();
  p.deltas = scanner_.deltas_seen();
  p.complete = cache_ != nullptr && cache_->complete() && !scanner_.gave_up();
  p.whole_pack = scanner_.trailer() != nullptr && !scanner_.bytes_after_trailer() && p.objects == p.total;
  return p;
}

const std::vector<unsigned char>* PackScanThread::Pass(const unsigned char* data, size_t size) {
  {
    std::unique_lock<std::mutex> lock(mutex_);
    wake_.wait(lock, [this] { return !busy_; });
    if (refused_) return nullptr;
    // Idle: scanning_ holds chunk k-1, passed; passed_ the chunk the indexer already took.
    progress_ = Snapshot();
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
  progress_ = Snapshot();
  return refused_ ? nullptr : &scanning_;
}

}  // namespace home
