#include "core/git/index_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/base/sha1.h"
#include "core/base/unique_fd.h"
#include "core/base/write_all.h"
#include "core/git/tree_entry_check.h"

namespace home {
namespace {

constexpr size_t kEntryFixedBytes = 62;  // ten 32-bit stat fields, the id, the flags
constexpr uint16_t kNameLengthMask = 0x0fff;

void Put32(std::string* out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out->append(bytes, 4);
}

// The mode git records for an entry: regular files are 0644 or 0755, whatever else the tree says.
uint32_t IndexMode(uint32_t mode) {
  if (mode == kModeLink || mode == kModeGitlink) return mode;
  return mode == kModeExecutable ? kModeExecutable : kModeBlob;
}

void PutEntry(std::string* out, const IndexFileEntry& entry) {
  const size_t start = out->size();
  const struct stat& st = entry.st;
  // 32 bits of each, as git keeps them: git compares the same truncations.
  Put32(out, static_cast<uint32_t>(st.st_ctim.tv_sec));
  Put32(out, static_cast<uint32_t>(st.st_ctim.tv_nsec));
  Put32(out, static_cast<uint32_t>(st.st_mtim.tv_sec));
  Put32(out, static_cast<uint32_t>(st.st_mtim.tv_nsec));
  Put32(out, static_cast<uint32_t>(st.st_dev));
  Put32(out, static_cast<uint32_t>(st.st_ino));
  Put32(out, IndexMode(entry.mode));
  Put32(out, static_cast<uint32_t>(st.st_uid));
  Put32(out, static_cast<uint32_t>(st.st_gid));
  Put32(out, static_cast<uint32_t>(st.st_size));
  out->append(reinterpret_cast<const char*>(entry.id.id), GIT_OID_SHA1_SIZE);
  // Stage 0, no extended flags; a name longer than the field holds is 0xfff, ended by its NUL.
  const uint16_t flags = static_cast<uint16_t>(std::min<size_t>(entry.path->size(), kNameLengthMask));
  out->push_back(static_cast<char>(flags >> 8));
  out->push_back(static_cast<char>(flags));
  out->append(*entry.path);
  // One to eight NULs, to the next multiple of eight.
  const size_t length = out->size() - start;
  out->append(8 - length % 8, '\0');
}

Error Failure(const char* call, int err, const std::string& path) {
  return SysError("ERR_CLONE_FAILED", call, err, path, "writing the index '" + path + "'");
}

}  // namespace

Error WriteIndexFile(const std::string& path, std::vector<IndexFileEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const IndexFileEntry& a, const IndexFileEntry& b) { return *a.path < *b.path; });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (*entries[i].path == *entries[i - 1].path) return MakeError("ERR_CLONE_FAILED", "two index entries of one path", *entries[i].path);
  }
  std::string out;
  size_t bytes = 12 + Sha1::kSize;
  for (const IndexFileEntry& entry : entries) bytes += kEntryFixedBytes + entry.path->size() + 8;
  out.reserve(bytes);
  out.append("DIRC", 4);
  Put32(&out, 2);
  Put32(&out, static_cast<uint32_t>(entries.size()));
  for (const IndexFileEntry& entry : entries) PutEntry(&out, entry);
  Sha1 sha1;
  sha1.Update(reinterpret_cast<const unsigned char*>(out.data()), out.size());
  unsigned char digest[Sha1::kSize];
  if (!sha1.Final(digest)) return MakeError("ERR_CLONE_FAILED", "could not hash the index (OpenSSL)", path);
  out.append(reinterpret_cast<const char*>(digest), Sha1::kSize);

  const std::string lock = path + ".lock";
  UniqueFd fd(::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd) return Failure("open", errno, lock);
  // Once the lock is ours, every failure removes it.
  const auto failed = [&lock](const char* call, const std::string& shown) {
    const int err = errno;
    ::unlink(lock.c_str());
    return Failure(call, err, shown);
  };
  if (!WriteAll(fd.get(), out.data(), out.size())) return failed("write", lock);
  if (::close(fd.release()) != 0) return failed("close", lock);
  if (::rename(lock.c_str(), path.c_str()) != 0) return failed("rename", path);
  return {};
}

}  // namespace home
