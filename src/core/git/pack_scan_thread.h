// The pack header scanner (pack_header_scanner.h) on a thread of its own, one chunk ahead of what
// takes the pack next (our own pack file, or libgit2's indexer: odb_guard.cc). Finding where each
// object of a pack ends takes inflating it, and the scanner's cache keeps and hashes what it
// inflates: run on the clone's thread, that was a quarter of a clone's CPU. Here the scanner reads
// chunk k while chunk k-1 is written, and nothing downstream sees a byte the scanner has not
// passed: the zlib bomb is still refused before libgit2 inflates any of it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "core/git/pack_header_scanner.h"

namespace home {

// How far the scan had got when the chunk Pass or Finish returned last was scanned.
struct ScanProgress {
  uint64_t objects = 0;  // that ended
  uint64_t total = 0;    // that the pack's header announced
  uint64_t deltas = 0;   // of `objects`
  bool complete = false;   // every object so far kept and named by the cache (pack_object_cache.h)
  bool whole_pack = false;  // every object and the 20-byte trailer read, nothing after it
};

class PackScanThread {
 public:
  // `cache`, if any, is filled from this thread (pack_object_cache.h); read it after Finish().
  explicit PackScanThread(uint64_t max_object_bytes, PackObjectCache* cache = nullptr);
  ~PackScanThread();  // stops and joins the thread, whatever it was doing
  PackScanThread(const PackScanThread&) = delete;
  PackScanThread& operator=(const PackScanThread&) = delete;

  // Hands `data` (copied) to the scanner and returns the chunk before it, now passed, for the
  // indexer; empty the first time. Null when the scanner refused that earlier chunk (or any
  // before it), and for every later call too.
  const std::vector<unsigned char>* Pass(const unsigned char* data, size_t size);
  // Waits for the last chunk handed in and returns it if it passed (the stream's end); null if not.
  const std::vector<unsigned char>* Finish();

  uint64_t refused_size() const { return scanner_.refused_size(); }  // read after a null
  const ScanProgress& progress() const { return progress_; }
  const unsigned char* trailer() const { return scanner_.trailer(); }  // read after Finish()

 private:
  void Run();
  ScanProgress Snapshot() const;  // with the scanner idle

  PackHeaderScanner scanner_;
  PackObjectCache* cache_;
  ScanProgress progress_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool busy_ = false;      // the scanner owns `scanning_`
  bool stopping_ = false;
  bool refused_ = false;
  std::vector<unsigned char> scanning_;  // chunk k: the scanner's while busy
  std::vector<unsigned char> passed_;    // chunk k-1: scanned, the indexer's
  std::thread thread_;                   // last: started once the rest is constructed
};

}  // namespace home
