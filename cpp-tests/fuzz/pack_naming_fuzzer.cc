// libFuzzer target for the pack's own index: a hostile server's pack, named by the pack scanner
// and its object cache (pack_object_cache.h) and indexed from those names (pack_index.h), against
// libgit2's indexer on the same bytes. The input is a pack without its trailer; the trailer is
// computed here, so that every mutation reaches the naming and not only the checksum. Whenever
// the clone would index a pack itself (every object kept and named, the whole pack read, its
// index built), libgit2's indexer must accept the pack too and write the very same index file:
// a pack the package names is never one git would have refused or named otherwise.
#include <fuzzer/FuzzedDataProvider.h>
#include <git2.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/git/pack_header_scanner.h"
#include "core/git/pack_index.h"
#include "core/git/pack_object_cache.h"

namespace {

// What the clone keeps (odb_guard.cc): 32 MiB in all, 1 MiB an object.
constexpr uint64_t kCacheBytes = uint64_t{32} << 20;
constexpr uint64_t kCacheObjectBytes = uint64_t{1} << 20;

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

// A directory for libgit2's indexer, made once per process and emptied after each input.
const std::string& IndexerDir() {
  static const std::string dir = [] {
    git_libgit2_init();
    const char* base = std::getenv("TMPDIR");
    static std::string made = std::string(base && *base ? base : "/tmp") + "/pack-naming-fuzzer-XXXXXX";
    Require(::mkdtemp(made.data()) != nullptr, "mkdtemp");
    // Empty by then: every input's files are removed after it.
    std::atexit([] { ::rmdir(made.c_str()); });
    return made;
  }();
  return dir;
}

// libgit2's index of `pack`, or empty when its indexer refuses the pack.
std::string LibgitIndex(const std::vector<unsigned char>& pack) {
  git_indexer_options options = GIT_INDEXER_OPTIONS_INIT;
  git_indexer* indexer = nullptr;
  Require(git_indexer_new(&indexer, IndexerDir().c_str(), 0, nullptr, &options) == 0, "git_indexer_new");
  git_indexer_progress stats = {};
  std::string index;
  if (git_indexer_append(indexer, pack.data(), pack.size(), &stats) == 0 && git_indexer_commit(indexer, &stats) == 0) {
    const std::string base = IndexerDir() + "/pack-" + git_indexer_name(indexer);
    std::ifstream in(base + ".idx", std::ios::binary);
    index.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    Require(!index.empty(), "libgit2 committed a pack without an index file");
    ::unlink((base + ".idx").c_str());
    ::unlink((base + ".pack").c_str());
    ::unlink((base + ".rev").c_str());
  }
  git_indexer_free(indexer);
  return index;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  // Pieces of every size, as the network hands them over.
  const size_t piece = in.ConsumeIntegralInRange<size_t>(1, 1 << 16);
  const std::vector<unsigned char> body = in.ConsumeRemainingBytes<unsigned char>();
  std::vector<unsigned char> pack = body;
  pack.resize(body.size() + SHA_DIGEST_LENGTH);
  SHA1(body.data(), body.size(), pack.data() + body.size());

  home::PackObjectCache cache(kCacheBytes, kCacheObjectBytes);
  home::PackHeaderScanner scanner(0, &cache);
  bool read = true;
  for (size_t at = 0; at < pack.size() && read; at += piece) read = scanner.Feed(pack.data() + at, std::min(piece, pack.size() - at));
  // The clone's own conditions for indexing a pack itself (odb_guard.cc, CommitOwn).
  const bool named = read && cache.complete() && !scanner.gave_up() && scanner.trailer() != nullptr &&
                     !scanner.bytes_after_trailer() && scanner.objects_seen() == scanner.objects_total();
  std::vector<unsigned char> ours;
  if (!named || !home::BuildPackIndex(cache.entries(), scanner.trailer(), &ours)) return 0;

  const std::string theirs = LibgitIndex(pack);
  Require(!theirs.empty(), "the package named a pack that libgit2's indexer refuses");
  Require(std::string(ours.begin(), ours.end()) == theirs, "the package's index of a pack is not libgit2's");
  return 0;
}
