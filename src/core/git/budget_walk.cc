#include "core/git/budget_walk.h"

#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/git/git_error.h"
#include "core/git/git_holders.h"
#include "core/git/tree_entry_check.h"

namespace home {
namespace {

// PATH_MAX and NAME_MAX on Linux: the limits the overlay applies to its paths too
// (path_check.cc, environment-schema.ts). A deeper checkout could not be walked by path anyway.
constexpr size_t kMaxPathBytes = 4096;
constexpr size_t kMaxComponentBytes = 255;
// Entries between two looks at the deadline and the cancel flag: a few hundred entries take tens
// of microseconds, so an abort is noticed at once and the clock is not read per entry.
constexpr uint64_t kCheckEvery = 256;
// How much of a path an error message quotes; the error's `path` holds all of it.
constexpr size_t kShownPathBytes = 256;

struct OidHash {
  size_t operator()(const git_oid& oid) const {
    size_t h;
    std::memcpy(&h, oid.id, sizeof h);  // an object id is already a uniform hash
    return h;
  }
};
struct OidEqual {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b) != 0; }
};

// One directory on the walk's stack.
struct Frame {
  GitTree tree;
  size_t next = 0;
  size_t count = 0;
  size_t path_length = 0;  // of the directory's own path, the prefix of its entries'
  size_t entry = kTopDirectory;  // the directory's own entry in the result
  // Names seen so far in this directory (views into the tree object, alive as long as `tree`).
  std::unordered_set<std::string_view> names;
};

// A path as a message can show it: control bytes escaped (the names are the user's, the
// message goes to logs), cut short when long.
std::string Shown(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size() && i < kShownPathBytes; ++i) {
    const unsigned char c = static_cast<unsigned char>(path[i]);
    if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (path.size() > kShownPathBytes) out += "...";
  return out;
}

Error Unsafe(const std::string& path, const std::string& why) {
  const std::string where = path.empty() ? "the top directory" : "'" + Shown(path) + "'";
  return MakeError("ERR_CLONE_UNSAFE_PATH", "the repository holds a path git refuses to check out: " + why + " at " + where,
                   path);
}

class Walker {
 public:
  Walker(git_repository* repo, git_odb* odb, CloneBudget* budget) : repo_(repo), odb_(odb), budget_(budget) {}

  Error Run(const git_oid* root, BudgetWalkResult* result) {
    if (Error e = Descend(root, kTopDirectory)) return e;
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      if (top.next == top.count) {
        stack_.pop_back();
        continue;
      }
      const git_tree_entry* entry = git_tree_entry_byindex(top.tree.get(), top.next++);
      if (Error e = Visit(top, entry, result)) return e;
    }
    return {};
  }

 private:
  void Push(GitTree tree, size_t path_length, size_t entry) {
    Frame frame;
    frame.count = git_tree_entrycount(tree.get());
    frame.tree = std::move(tree);
    frame.path_length = path_length;
    frame.entry = entry;
    stack_.push_back(std::move(frame));
  }

  // `top` is only valid until the next Push.
  Error Visit(Frame& top, const git_tree_entry* entry, BudgetWalkResult* result) {
    const std::string_view name = git_tree_entry_name(entry);
    const uint32_t mode = static_cast<uint32_t>(git_tree_entry_filemode_raw(entry));
    path_.resize(top.path_length);
    if (!path_.empty()) path_ += '/';
    path_.append(name.data(), name.size());

    if (Error e = budget_->CountEntry(path_)) return e;
    if (budget_->entries() % kCheckEvery == 0) {
      if (Error e = budget_->Check()) return e;
    }
    if (const char* why = UnsafeEntryName(name, mode)) return Unsafe(path_, why);
    if (const char* why = UnsafeEntryMode(mode)) return Unsafe(path_, why);
    if (name.size() > kMaxComponentBytes) return Unsafe(path_, "a name longer than 255 bytes");
    if (path_.size() > kMaxPathBytes) return Unsafe(path_, "a path longer than 4096 bytes");
    result->entries.push_back({path_, *git_tree_entry_id(entry), mode, top.entry});
    if (!top.names.insert(name).second) return Unsafe(path_, "a second entry of the same name in one directory");

    switch (git_tree_entry_type(entry)) {
      case GIT_OBJECT_TREE:
        return Descend(git_tree_entry_id(entry), result->entries.size() - 1);
      case GIT_OBJECT_BLOB: {
        if (name == ".gitattributes") result->has_attributes = true;
        uint64_t size = 0;
        if (Error e = BlobSize(entry, &size)) return e;
        return budget_->CountBlob(size, path_);
      }
      default:
        // A gitlink (a submodule's commit): checked out as an empty directory, its content
        // is not in this repository.
        result->gitlinks.push_back(path_);
        return {};
    }
  }

  // Enters the directory `id` at `path_`, whose entry in the result is `entry` (kTopDirectory for
  // the root).
  Error Descend(const git_oid* id, size_t entry) {
    git_object* object = nullptr;
    if (git_object_lookup(&object, repo_, id, GIT_OBJECT_ANY) < 0) {
      const git_error* last = git_error_last();
      // libgit2's parser refuses some of what git's fsck refuses too (an empty name, a mode
      // that is not octal): the same verdict, for the same reason.
      if (last != nullptr && last->klass == GIT_ERROR_TREE && !budget_->Check()) {
        return Unsafe(path_, "a directory git cannot read (" + std::string(last->message) + ")");
      }
      return Failure("reading a directory of the tree", path_);
    }
    GitObject owned(object);
    if (git_object_type(object) != GIT_OBJECT_TREE) return Unsafe(path_, "a directory whose object is not a tree");
    Push(GitTree(reinterpret_cast<git_tree*>(owned.release())), path_.size(), entry);
    return {};
  }

  // The size from the object's header: the pack entry's header for a whole object, the first
  // bytes of the delta for a delta. Never inflates the blob. One blob checked out under many
  // names (a bomb's favourite) is read once.
  Error BlobSize(const git_tree_entry* entry, uint64_t* size) {
    const git_oid& id = *git_tree_entry_id(entry);
    if (auto known = sizes_.find(id); known != sizes_.end()) {
      *size = known->second;
      return {};
    }
    size_t length = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&length, &type, odb_, &id) < 0) return Failure("reading a file's header", path_);
    if (type != GIT_OBJECT_BLOB) return Unsafe(path_, "a file whose object is not a blob");
    sizes_.emplace(id, length);
    *size = length;
    return {};
  }

  // A libgit2 failure; a crossed limit (the heap's, most likely) is the better answer.
  Error Failure(const char* what, const std::string& path) {
    if (const Error& stop = budget_->Check()) return stop;
    Error error = GitFailure(what, -1);
    error.path = path;
    return error;
  }

  git_repository* repo_;
  git_odb* odb_;
  CloneBudget* budget_;
  std::vector<Frame> stack_;
  std::string path_;
  std::unordered_map<git_oid, uint64_t, OidHash, OidEqual> sizes_;
};

}  // namespace

Error BudgetWalk(git_repository* repo, git_commit* commit, CloneBudget* budget, BudgetWalkResult* result) {
  git_odb* odb = nullptr;
  if (int rc = git_repository_odb(&odb, repo); rc < 0) return GitFailure("opening the object database", rc);
  GitOdb owned_odb(odb);
  *result = {};
  Walker walker(repo, odb, budget);
  return walker.Run(git_commit_tree_id(commit), result);
}

}  // namespace home
