#include "core/git/git_runtime.h"

#include <git2.h>

#include <mutex>

#include "core/git/git_error.h"
#include "core/git/heap_account.h"
#include "core/git/socket_stream.h"
#include "core/git/tls_stream.h"

namespace home {
namespace {

// A connect that takes longer than this is a dead host, not a slow one. libgit2 notes the
// system may cap it at ~75 s anyway.
constexpr int kConnectTimeoutMs = 15 * 1000;
// A server silent this long is stuck: git's upload-pack sends keepalives every 5 s while it
// prepares a pack (uploadpack.keepAlive), so a healthy server is never quiet this long. The
// per-clone deadline cannot interrupt a blocked read; this bounds how late it can be.
constexpr int kServerTimeoutMs = 30 * 1000;
// Dotfiles repositories hold thousands of objects, not tens of millions; a pack announcing more
// is hostile and is refused before the indexer allocates for it.
constexpr size_t kPackMaxObjects = 5 * 1000 * 1000;

Error Configure() {
  // Before init, which keeps an allocator set earlier: every allocation libgit2 ever makes goes
  // through the account of the clone running on its thread (heap_account.h).
  if (Error e = InstallAccountingAllocator()) return e;
  if (int rc = git_libgit2_init(); rc < 0) return GitFailure("git_libgit2_init", rc);
  struct Opt {
    const char* what;
    int rc;
  };
  // No gitconfig of this host's users or system may change how we fetch or check out
  // (url.*.insteadOf, http.proxy, core.hooksPath, core.symlinks, filters...): the search paths
  // for system, global, XDG and ProgramData configuration are emptied.
  const Opt opts[] = {
      {"search path (system)", git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM, "")},
      {"search path (global)", git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_GLOBAL, "")},
      {"search path (xdg)", git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_XDG, "")},
      {"search path (programdata)",
       git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, GIT_CONFIG_LEVEL_PROGRAMDATA, "")},
      // Owner validation stays on (the default): we only ever open repositories we just created
      // in our own staging directory, so it never gets in the way, and it would stop us should a
      // bug ever hand us a user-owned one.
      {"owner validation", git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 1)},
      {"connect timeout", git_libgit2_opts(GIT_OPT_SET_SERVER_CONNECT_TIMEOUT, kConnectTimeoutMs)},
      {"server timeout", git_libgit2_opts(GIT_OPT_SET_SERVER_TIMEOUT, kServerTimeoutMs)},
      {"pack max objects", git_libgit2_opts(GIT_OPT_SET_PACK_MAX_OBJECTS, kPackMaxObjects)},
      // The clone is thrown away on any failure and renamed into place only once complete:
      // fsync of every object would cost time and buy nothing.
      {"fsync", git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0)},
      // Every object a clone reads (trees for the budget walk, blobs for checkout, delta bases)
      // comes from the one pack it just fetched into the private staging area (staging.h), whose
      // indexer named each object by hashing its content: hashing it again on each read cannot
      // disagree, and cost a fifth of a clone's CPU. git does not re-hash on read either.
      {"hash verification on read", git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0)},
  };
  for (const Opt& opt : opts) {
    if (opt.rc < 0) return GitFailure(opt.what, opt.rc);
  }
  // HTTPS on our TLS stream over our socket stream: the trust store is found where the process
  // runs and is per clone (tls_stream.h), so libgit2's process-wide certificate locations stay
  // unused.
  if (Error e = RegisterSocketStream(); e) return e;
  return RegisterTlsStream();
}

}  // namespace

Error EnsureGitRuntime() {
  static std::once_flag once;
  static Error result;
  std::call_once(once, [] { result = Configure(); });
  return result;
}

}  // namespace home
