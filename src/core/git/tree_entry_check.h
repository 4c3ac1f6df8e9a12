// The checks git makes on every name of a tree before it checks the tree out (read-cache.c
// verify_path, fsck.c fsck_tree, with core.protectNTFS and core.protectHFS on, as git sets them
// by default): a repository is the user's, and a name that git itself would refuse is refused here
// before libgit2 writes a single file.
#pragma once

#include <cstdint>
#include <string_view>

namespace home {

// Tree entry modes as git writes them (git's S_IFGITLINK is 0160000).
constexpr uint32_t kModeTree = 0040000;
constexpr uint32_t kModeBlob = 0100644;
constexpr uint32_t kModeExecutable = 0100755;
constexpr uint32_t kModeGroupWritable = 0100664;  // early git; fsck accepts it unless --strict
constexpr uint32_t kModeLink = 0120000;
constexpr uint32_t kModeGitlink = 0160000;

// Why git refuses `name` as the name of a tree entry of file mode `mode` (the mode as the tree
// records it), or nullptr when git accepts it. Refused: empty names, "." and "..", names holding
// '/' or NUL, ".git" in any case and in every spelling that NTFS (trailing dots and spaces,
// "git~1", alternate data streams, backslash-separated parts) or HFS+ (ignorable code points) reads
// as ".git", and a ".gitmodules" or ".gitattributes" that is a symbolic link.
const char* UnsafeEntryName(std::string_view name, uint32_t mode);

// Why `mode` is not one of the file modes git writes (fsck's badFilemode), or nullptr. 100664,
// which early git wrote, is accepted as git accepts it.
const char* UnsafeEntryMode(uint32_t mode);

// Building blocks, exposed for the tests: git's is_ntfs_dotgit / is_hfs_dotgit and the generic
// forms behind is_ntfs_dotgitmodules and friends. `name` is one path component.
bool IsNtfsDotGit(std::string_view name);
bool IsHfsDotGit(std::string_view name);
// `dotted` without its dot ("gitmodules"); `short_prefix` the 6-character NTFS short-name prefix
// git computes for it ("gi7eba" for .gitmodules).
bool IsNtfsDotGeneric(std::string_view name, std::string_view dotted, std::string_view short_prefix);
bool IsHfsDotGeneric(std::string_view name, std::string_view dotted);

}  // namespace home
