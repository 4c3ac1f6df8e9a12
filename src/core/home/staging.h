// The private staging area beside the homes: libgit2 writes by path, so clones are made here,
// where no user can plant a symlink, and only the finished tree is renamed into a home.
// Layout: <staging>/clone-XXXXXXXXXXXXXXXX/ (one per clone in flight), <staging>/locks/ (home_lock).
#pragma once

#include <memory>
#include <string>

#include "core/base/error.h"
#include "core/base/unique_fd.h"

namespace home {

// Opens `path` (absolute) as the staging directory, creating it 0700 when missing. Refuses a
// symlink, a non-directory, or a directory that another user owns (with `code_for_caller`:
// ERR_CLONE_FAILED or ERR_LOCK_FAILED, and the reason); tightens group/other permissions away.
Error OpenStagingDir(const std::string& path, const char* code_for_caller, UniqueFd* out);

// Opens (creating 0700) the directory `name` inside `parent_fd` under the same rules.
Error OpenPrivateSubdir(int parent_fd, const std::string& name, const std::string& shown_path,
                        const char* code_for_caller, UniqueFd* out);

// One clone directory in the staging area, <staging>/clone-<random>, and the claim that it is in
// use: an OFD lock (ofd_lock.h) on <staging>/clone-<random>.lock, taken before the directory
// exists. Destruction removes the directory (whatever it holds by then: a failed clone, or the
// old tree after a swap; never following symlinks), then the lock file, then lets go of the lock.
// A removal that takes longer than half a second (a partial checkout of a hundred thousand
// files) finishes on a home-io thread, the lock held until then: destruction never holds up a
// clone's result for long.
class StagedDir {
 public:
  // Creates an empty directory under a fresh name, 0755 like the root of a `git clone` (it becomes
  // ~/.dotfiles); the 0700 staging area around it keeps it private meanwhile.
  static Error Create(int staging_fd, const std::string& staging_path, std::unique_ptr<StagedDir>* out);
  ~StagedDir();
  StagedDir(const StagedDir&) = delete;
  StagedDir& operator=(const StagedDir&) = delete;

  const std::string& name() const { return name_; }

 private:
  struct Key {};  // only Create can name it: construction goes through Create

 public:
  StagedDir(Key, int staging_fd, std::string name, UniqueFd lock)
      : staging_fd_(staging_fd), name_(std::move(name)), lock_(std::move(lock)) {}

 private:
  int staging_fd_;
  std::string name_;
  UniqueFd lock_;
};

// Removes what crashed processes left (SIGKILL, a power cut between a swap and the removal of
// the old tree): every clone directory and lock file whose lock nobody holds. A directory
// without a lock file is only taken once older than `grace_seconds` (it cannot come from a
// clone of this code, which locks first; something else put it there). Best effort, and at
// most about half a second of it: what cannot be removed now is taken up by the next sweep.
constexpr long kSweepGraceSeconds = 60;
void SweepStaleCloneDirs(int staging_fd, long grace_seconds = kSweepGraceSeconds);

}  // namespace home
