// A pack's index file (git's Documentation/gitformat-pack.txt, "pack-*.idx files have the
// following format", version 2: the one git and libgit2 write), read and written. Read: each
// object's id and its offset in the pack, from a file libgit2's indexer has just written into our
// private staging area, read as if it were not: a file that is short, of another version, or whose
// offsets point outside its own table is refused whole. Written: from the ids, offsets and CRC-32s
// the pack scanner found (pack_writer.h), byte for byte the index `git index-pack` writes.
#pragma once

#include <git2.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace home {

// Calls `each` for every object of the index at `path`, in id order; false (having called it for
// none) when the file cannot be read or is not a well-formed version 2 index.
bool ForEachPackIndexEntry(const std::string& path, const std::function<void(const git_oid&, uint64_t)>& each);

struct PackIndexEntry {
  git_oid id;
  uint64_t offset;  // of the object's header in the pack
  uint32_t crc;     // CRC-32 of the object's bytes in the pack, header and compressed data
};

// The index of a pack whose checksum (its last 20 bytes) is `pack_checksum`, into `out`. False
// when two entries have the same id (such a pack is left to libgit2's indexer), or when OpenSSL
// could not make the index's own checksum.
bool BuildPackIndex(std::vector<PackIndexEntry> entries, const unsigned char* pack_checksum,
                    std::vector<unsigned char>* out);

// Where a pack's file of `extension` (".pack", ".idx") is in `pack_dir`: git and libgit2 name
// them after the pack's checksum, the stream's last 20 bytes.
std::string PackFilePath(const std::string& pack_dir, const unsigned char* pack_checksum, const char* extension);

}  // namespace home
