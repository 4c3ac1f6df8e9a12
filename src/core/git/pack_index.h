// Reads a pack's index file (git's Documentation/gitformat-pack.txt, "pack-*.idx files have the
// following format", version 2: the one git and libgit2 write): each object's id and its offset in
// the pack. The file is one libgit2's indexer has just written into our private staging area, but
// it is read as if it were not: a file that is short, of another version, or whose offsets point
// outside its own table is refused whole.
#pragma once

#include <git2.h>

#include <cstdint>
#include <functional>
#include <string>

namespace home {

// Calls `each` for every object of the index at `path`, in id order; false (having called it for
// none) when the file cannot be read or is not a well-formed version 2 index.
bool ForEachPackIndexEntry(const std::string& path, const std::function<void(const git_oid&, uint64_t)>& each);

}  // namespace home
