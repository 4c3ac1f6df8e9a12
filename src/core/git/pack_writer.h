// A fetched pack's own file in objects/pack, written as the stream arrives, and, once the pack
// scanner has named every object (pack_object_cache.h), moved into place with an index written
// from those names (pack_index.h): the files libgit2's indexer would have written, without its
// second inflate and hash of every object and its resolving of each delta from the file after the
// stream ends. A pack the scanner cannot name whole is replayed from this file into libgit2's
// indexer (odb_guard.cc), and the file is removed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/base/sha1.h"
#include "core/base/unique_fd.h"
#include "core/git/pack_index.h"

namespace home {

class PackWriter {
 public:
  // Each call that returns false leaves the reason in error().
  explicit PackWriter(std::string pack_dir);
  ~PackWriter();  // removes the file unless Commit() moved it into place
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  bool Open();
  bool Write(const unsigned char* data, size_t size);
  // Every byte written so far, in order, to `each`, until it answers nonzero (that answer in
  // `*answer`). False when the file could not be read back.
  bool Replay(const std::function<int(const unsigned char*, size_t)>& each, int* answer);
  // Whether the last 20 bytes written are the SHA-1 of all the bytes before them, as a pack's
  // trailer is; the checksum is then what names the pack's files.
  bool ChecksumMatches();
  // After ChecksumMatches(): the index of `entries`; false (no error) when it cannot be built (two
  // objects with one id, or OpenSSL failed), which leaves the pack to libgit2's indexer.
  bool BuildIndex(std::vector<PackIndexEntry> entries);
  // After BuildIndex(): the pack as pack-<checksum>.pack, and its index beside it.
  bool Commit();
  // Closes and removes the file: the pack went to libgit2's indexer instead.
  void Discard();

  const std::string& error() const { return error_; }

 private:
  bool Fail(const std::string& what);
  bool Publish(int fd, const std::string& from, const std::string& to);

  std::string dir_;
  std::string temp_path_;
  UniqueFd fd_;
  uint64_t written_ = 0;
  std::vector<unsigned char> index_;
  // Everything but the last 20 bytes goes through the hash; those 20 wait here.
  Sha1 hash_;
  unsigned char tail_[Sha1::kSize] = {};
  size_t tail_have_ = 0;
  std::string error_;
};

}  // namespace home
