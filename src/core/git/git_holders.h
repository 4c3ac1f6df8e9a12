// RAII owners for libgit2 objects: every object is freed exactly once, on every path out
// (libgit2's examples do this with `goto out`; here the destructor does it).
#pragma once

#include <git2.h>

#include <memory>

namespace home {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};

template <typename T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using GitRepository = GitPtr<git_repository, git_repository_free>;
using GitRemote = GitPtr<git_remote, git_remote_free>;
using GitObject = GitPtr<git_object, git_object_free>;
using GitCommit = GitPtr<git_commit, git_commit_free>;
using GitReference = GitPtr<git_reference, git_reference_free>;
using GitConfig = GitPtr<git_config, git_config_free>;
using GitTree = GitPtr<git_tree, git_tree_free>;
using GitTreeEntry = GitPtr<git_tree_entry, git_tree_entry_free>;
using GitOdb = GitPtr<git_odb, git_odb_free>;

// git_buf is a value type with its own dispose function.
struct GitBuf {
  git_buf buf = GIT_BUF_INIT;
  GitBuf() = default;
  GitBuf(const GitBuf&) = delete;
  GitBuf& operator=(const GitBuf&) = delete;
  ~GitBuf() { git_buf_dispose(&buf); }
};

}  // namespace home
