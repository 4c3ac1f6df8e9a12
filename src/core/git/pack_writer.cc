#include "core/git/pack_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/base/write_all.h"

namespace home {
namespace {

// What libgit2 gives the packs and indexes it writes (GIT_PACK_FILE_MODE): nobody writes them again.
constexpr mode_t kPackFileMode = 0444;
constexpr size_t kReplayChunk = 64 * 1024;


}  // namespace

PackWriter::PackWriter(std::string pack_dir) : dir_(std::move(pack_dir)) {}

PackWriter::~PackWriter() { Discard(); }

bool PackWriter::Fail(const std::string& what) {
  error_ = what + ": " + std::strerror(errno);
  return false;
}

bool PackWriter::Open() {
  if (!hash_.ok()) return Fail("starting the pack's checksum");
  std::string name = dir_ + "/tmp_pack_XXXXXX";
  UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (!fd) return Fail("creating the pack file");
  temp_path_ = std::move(name);
  fd_ = std::move(fd);
  return true;
}

bool PackWriter::Write(const unsigned char* data, size_t size) {
  if (!WriteAll(fd_.get(), data, size)) return Fail("writing the pack file");
  written_ += size;
  // Keep the stream's last 20 bytes out of the hash: they may be the trailer.
  if (size >= sizeof tail_) {
    hash_.Update(tail_, tail_have_);
    hash_.Update(data, size - sizeof tail_);
    std::memcpy(tail_, data + size - sizeof tail_, sizeof tail_);
    tail_have_ = sizeof tail_;
    return true;
  }
  const size_t excess = tail_have_ + size > sizeof tail_ ? tail_have_ + size - sizeof tail_ : 0;
  hash_.Update(tail_, excess);
  std::memmove(tail_, tail_ + excess, tail_have_ - excess);
  tail_have_ -= excess;
  std::memcpy(tail_ + tail_have_, data, size);
  tail_have_ += size;
  return true;
}

bool PackWriter::Replay(const std::function<int(const unsigned char*, size_t)>& each, int* answer) {
  *answer = 0;
  std::vector<unsigned char> chunk(kReplayChunk);
  for (uint64_t at = 0; at < written_;) {
    const ssize_t n = ::pread(fd_.get(), chunk.data(), std::min<uint64_t>(chunk.size(), written_ - at), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return Fail("reading the pack file back");
    }
    if ((*answer = each(chunk.data(), static_cast<size_t>(n))) != 0) return true;
    at += static_cast<uint64_t>(n);
  }
  return true;
}

bool PackWriter::ChecksumMatches() {
  unsigned char digest[Sha1::kSize];
  return tail_have_ == sizeof tail_ && hash_.Final(digest) && std::memcmp(digest, tail_, sizeof digest) == 0;
}

bool PackWriter::Publish(int fd, const std::string& from, const std::string& to) {
  if (::fchmod(fd, kPackFileMode) != 0) return Fail("setting the mode of " + to);
  if (::rename(from.c_str(), to.c_str()) != 0) return Fail("moving " + to + " into place");
  return true;
}

bool PackWriter::BuildIndex(std::vector<PackIndexEntry> entries) {
  return BuildPackIndex(std::move(entries), tail_, &index_);
}

bool PackWriter::Commit() {
  // The pack first: whoever sees the index finds its pack.
  if (!Publish(fd_.get(), temp_path_, PackFilePath(dir_, tail_, ".pack"))) return false;
  temp_path_.clear();
  fd_.reset();
  std::string index_temp = dir_ + "/tmp_idx_XXXXXX";
  UniqueFd index_fd(::mkostemp(index_temp.data(), O_CLOEXEC));
  if (!index_fd) return Fail("creating the pack's index");
  const bool written = WriteAll(index_fd.get(), index_.data(), index_.size()) || Fail("writing the pack's index");
  if (written && Publish(index_fd.get(), index_temp, PackFilePath(dir_, tail_, ".idx"))) return true;
  ::unlink(index_temp.c_str());
  return false;
}

void PackWriter::Discard() {
  fd_.reset();
  if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
  temp_path_.clear();
}

}  // namespace home
