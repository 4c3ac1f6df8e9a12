#include "core/git/clone.h"

#include <git2.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <optional>
#include <thread>

#include "core/git/budget_walk.h"
#include "core/git/checkout_writer.h"
#include "core/git/git_error.h"
#include "core/git/git_holders.h"
#include "core/git/git_runtime.h"
#include "core/git/network_access.h"
#include "core/git/odb_guard.h"
#include "core/git/socket_stream.h"
#include "core/git/submodule_config.h"
#include "core/git/tls_trust.h"
#include "core/git/url_policy.h"

namespace home {
namespace {

// The remote's name in the finished repository, as `git clone` names it.
constexpr const char* kOrigin = "origin";
// Commit ids as SHA-1 repositories (what every public host serves) spell them.
constexpr size_t kHexIdLength = GIT_OID_SHA1_HEXSIZE;

// State shared by every libgit2 callback of one clone: the budget they enforce, the progress
// they update, and the reason they stopped the transfer (libgit2 only sees GIT_EUSER).
struct Session {
  const CloneSpec* spec = nullptr;
  CloneBudget* budget = nullptr;
  const CloneProgressFn* on_progress = nullptr;
  CloneProgress progress;
  uint64_t bytes_before_attempt = 0;  // bytes of earlier fetch attempts (shallow fallback)
  Error stop;
  GitSymptom symptom = GitSymptom::kOther;  // of the last libgit2 failure (git_error.h)
  int auth_attempts = 0;                     // credentials handed to libgit2 so far

  // Callbacks return its answer; the budget decides (clone_budget.h).
  int Check() {
    if (stop) return GIT_EUSER;
    stop = budget->Check();
    return stop ? GIT_EUSER : 0;
  }

  // The one place progress leaves the clone.
  void Emit(ClonePhase phase) {
    progress.phase = phase;
    if (*on_progress) (*on_progress)(progress);
  }

  // A libgit2 failure: our own reason when a callback stopped it, libgit2's otherwise.
  Error Fail(const char* what, int rc) {
    if (stop) return stop;
    // The failure may be a symptom of the deadline, or of an allocation the heap limit refused.
    if (Check() != 0) return stop;
    GitFailed failed = GitFailureWithSymptom(what, rc);
    symptom = failed.symptom;
    failed.error.path = RedactUrl(spec->url);
    // libgit2 refuses a redirect to another scheme (file, ssh, ext, https -> http) itself.
    if (symptom == GitSymptom::kRedirectRefused) failed.error.code = "ERR_PROTOCOL_NOT_ALLOWED";
    if (symptom == GitSymptom::kAuthFailed) failed.error.code = "ERR_CLONE_AUTH";
    return failed.error;
  }
};

Session* Of(void* payload) { return static_cast<Session*>(payload); }

int OnTransfer(const git_indexer_progress* stats, void* payload) {
  Session* s = Of(payload);
  s->progress.received_objects = stats->received_objects;
  s->progress.total_objects = stats->total_objects;
  s->progress.received_bytes = s->bytes_before_attempt + stats->received_bytes;
  s->budget->NotePackBytes(s->progress.received_bytes);
  const bool resolving = stats->total_objects > 0 && stats->received_objects == stats->total_objects;
  s->Emit(resolving ? ClonePhase::kResolving : ClonePhase::kReceiving);
  return s->Check();
}

// Over ssh, whose pipes to the ssh binary no socket stream of ours watches, the server's messages
// ("Counting objects...") are the one chance to stop while it prepares the pack.
int OnSideband(const char*, int, void* payload) { return Of(payload)->Check(); }

void OnCheckoutProgress(const char*, size_t completed, size_t total, void* payload) {
  Session* s = Of(payload);
  s->progress.checked_out_files = completed;
  s->progress.total_files = total;
  s->Emit(ClonePhase::kCheckout);
}

// Checkout's progress callback cannot stop it; its notify callback can, once per file.
int OnCheckoutNotify(git_checkout_notify_t, const char*, const git_diff_file*, const git_diff_file*,
                     const git_diff_file*, void* payload) {
  return Of(payload)->Check();
}

// A server asks for credentials (HTTP 401, an ssh server that takes passwords): the worker's
// credentials function answers, at most kMaxAuthAttempts times a clone. A refusal is final after
// that, and a server that asks when there is nothing to offer is refused at once: both are
// ERR_CLONE_AUTH, neither names the secret.
constexpr int kMaxAuthAttempts = 2;

Error AuthError(const Session& s, const std::string& why) {
  return MakeError("ERR_CLONE_AUTH", why, RedactUrl(s.spec->url));
}

int OnCredentials(git_credential** out, const char* url, const char*, unsigned int allowed_types, void* payload) {
  Session* s = Of(payload);
  if (s->Check() != 0) return GIT_EUSER;
  const std::string shown = RedactUrl(UrlWithoutCredentials(url != nullptr ? url : s->spec->url));
  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) == 0) {
    s->stop = AuthError(*s, shown + " asks for a kind of authentication the clone does not offer (only username and password)");
    return GIT_EUSER;
  }
  if (!s->spec->credentials) {
    s->stop = AuthError(*s, shown + " wants credentials, and none are configured (clone.credentials)");
    return GIT_EUSER;
  }
  if (s->auth_attempts >= kMaxAuthAttempts) {
    s->stop = AuthError(*s, shown + " refused the credentials (" + std::to_string(kMaxAuthAttempts) + " attempts)");
    return GIT_EUSER;
  }
  CredentialRequest request;
  request.url = UrlWithoutCredentials(url != nullptr ? url : s->spec->url);
  request.protocol = SchemeName(ClassifyUrl(request.url));
  request.host = UrlHost(request.url);
  request.attempt = ++s->auth_attempts;
  std::optional<Credential> credential;
  if (Error e = s->spec->credentials->Ask(request, *s->budget, &credential)) {
    s->stop = std::move(e);
    return GIT_EUSER;
  }
  if (!credential) {
    s->stop = AuthError(*s, request.attempt == 1
                                ? shown + " wants credentials, and the credentials function has none for " + request.host
                                : shown + " refused the credentials, and the credentials function has no others");
    return GIT_EUSER;
  }
  if (int rc = git_credential_userpass_plaintext_new(out, credential->username().c_str(), credential->password().c_str());
      rc < 0) {
    s->stop = GitFailure("handing over the credentials", rc, "ERR_CLONE_AUTH");
    return GIT_EUSER;
  }
  return 0;
}

git_remote_callbacks Callbacks(Session* session) {
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.transfer_progress = OnTransfer;
  // Elsewhere no sideband_progress: without one, libgit2 asks the server for no progress
  // messages (scripts/libgit2/patches/no-progress.patch), as git does when nobody reads them, and
  // the server's pack-objects does not write them (about 10 ms of a 3 MB clone). The deadline and
  // the abort reach the wait for the pack through the socket streams (socket_stream.h).
  if (ClassifyUrl(session->spec->url) == UrlScheme::kSsh) callbacks.sideband_progress = OnSideband;
  callbacks.credentials = OnCredentials;
  callbacks.payload = session;
  return callbacks;
}

bool IsHexId(const std::string& ref) {
  if (ref.size() != kHexIdLength) return false;
  for (char c : ref) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool StartsWith(const std::string& text, const char* prefix) {
  return text.compare(0, std::strlen(prefix), prefix) == 0;
}

// What to fetch, decided from the remote's advertisement.
struct Target {
  std::string refname;  // "refs/heads/x", "refs/tags/t", or empty for a bare commit id
  git_oid oid{};        // what the ref points at (a tag object for annotated tags)
  std::string refspec;  // single-ref fetch refspec
  bool is_branch = false;
};

// A commit id. Servers only hand out what they advertise (unless configured with
// uploadpack.allowReachableSHA1InWant), so an id that a branch or tag points at is fetched
// through that ref; any other id is asked for directly and the server may refuse.
Error ResolveCommitId(const git_remote_head** heads, size_t count, const CloneSpec& spec, Target* out) {
  git_oid id;
  if (git_oid_fromstr(&id, spec.ref.c_str()) < 0) return GitFailure("parsing the commit id", -1);
  const git_remote_head* best = nullptr;
  for (size_t i = 0; i < count; ++i) {
    if (!git_oid_equal(&heads[i]->oid, &id)) continue;
    const std::string name = heads[i]->name;
    if (StartsWith(name, "refs/heads/") || (StartsWith(name, "refs/tags/") && best == nullptr)) best = heads[i];
  }
  git_oid_cpy(&out->oid, &id);
  out->refname.clear();
  out->is_branch = false;
  if (best == nullptr) {
    out->refspec = spec.ref;
    return {};
  }
  std::string name = best->name;
  // "refs/tags/v1^{}" is the advertisement of what an annotated tag peels to: fetch the tag.
  const size_t peeled = name.rfind("^{}");
  if (peeled != std::string::npos) name.resize(peeled);
  out->refspec = StartsWith(name, "refs/heads/")
                     ? "+" + name + ":refs/remotes/" + kOrigin + "/" + name.substr(std::strlen("refs/heads/"))
                     : "+" + name + ":" + name;
  return {};
}

Error ResolveTarget(git_remote* remote, const CloneSpec& spec, Target* out) {
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (int rc = git_remote_ls(&heads, &count, remote); rc < 0) return GitFailure("listing remote refs", rc);
  auto find = [&](const std::string& name) -> const git_remote_head* {
    for (size_t i = 0; i < count; ++i) {
      if (name == heads[i]->name) return heads[i];
    }
    return nullptr;
  };
  const std::string shown = RedactUrl(spec.url);
  std::string wanted;
  if (spec.ref.empty()) {
    // The remote's default branch: the HEAD symref when the server sends it (protocol
    // capability symref, every git since 1.8.4.3), else libgit2's guess as git makes it.
    const git_remote_head* head = find("HEAD");
    if (head != nullptr && head->symref_target != nullptr) {
      wanted = head->symref_target;
    } else {
      GitBuf buf;
      if (git_remote_default_branch(&buf.buf, remote) < 0) {
        return MakeError("ERR_REF_NOT_FOUND", "the remote " + shown + " has no default branch", shown);
      }
      wanted.assign(buf.buf.ptr, buf.buf.size);
    }
  } else if (StartsWith(spec.ref, "refs/")) {
    wanted = spec.ref;
  } else if (find("refs/heads/" + spec.ref) != nullptr) {
    wanted = "refs/heads/" + spec.ref;  // `git clone --branch` prefers a branch over a tag
  } else if (find("refs/tags/" + spec.ref) != nullptr) {
    wanted = "refs/tags/" + spec.ref;
  } else if (IsHexId(spec.ref)) {
    return ResolveCommitId(heads, count, spec, out);
  }
  const git_remote_head* head = wanted.empty() ? nullptr : find(wanted);
  if (head == nullptr) {
    const std::string what = spec.ref.empty() ? "the default branch" : "ref '" + spec.ref + "'";
    return MakeError("ERR_REF_NOT_FOUND", what + " was not found in " + shown, shown);
  }
  out->refname = wanted;
  git_oid_cpy(&out->oid, &head->oid);
  if (StartsWith(wanted, "refs/heads/")) {
    out->is_branch = true;
    out->refspec = "+" + wanted + ":refs/remotes/" + kOrigin + "/" + wanted.substr(std::strlen("refs/heads/"));
  } else {
    out->refspec = "+" + wanted + ":" + wanted;
  }
  return {};
}

GitRemote NewRemote(git_repository* repo, Session* session, Error* error) {
  git_remote* raw = nullptr;
  if (int rc = git_remote_create_anonymous(&raw, repo, session->spec->url.c_str()); rc < 0) {
    *error = session->Fail("creating the remote", rc);
  }
  return GitRemote(raw);
}


git_proxy_options ProxyOptions(const CloneSpec& spec) {
  git_proxy_options proxy = GIT_PROXY_OPTIONS_INIT;
  // Never GIT_PROXY_AUTO: libgit2 would read git config and the environment by its own rules;
  // the shim read the environment the way git and curl do (lib/proxy-env.ts).
  proxy.type = spec.proxy.empty() ? GIT_PROXY_NONE : GIT_PROXY_SPECIFIED;
  proxy.url = spec.proxy.empty() ? nullptr : spec.proxy.c_str();
  return proxy;
}

// One fetch attempt; reuses `remote`'s connection when it is still open.
Error Fetch(git_remote* remote, Session* session, const Target& target, int depth) {
  git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
  fetch.callbacks = Callbacks(session);
  // Only the one ref asked for: `git clone --single-branch` does not follow tags either.
  fetch.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  fetch.depth = depth;
  // Nobody reads FETCH_HEAD in a fresh clone.
  fetch.update_fetchhead = 0;
  // A redirect may change the path on the same host (git's default), never the host.
  fetch.follow_redirects = GIT_REMOTE_REDIRECT_INITIAL;
  fetch.proxy_opts = ProxyOptions(*session->spec);
  std::string refspec = target.refspec;
  char* specs[] = {refspec.data()};
  const git_strarray refspecs = {specs, 1};
  if (int rc = git_remote_fetch(remote, &refspecs, &fetch, "clone"); rc < 0) {
    Error error = session->Fail("fetching", rc);
    if (target.refname.empty() && !session->stop && session->symptom == GitSymptom::kObjectNotServed) {
      const std::string shown = RedactUrl(session->spec->url);
      return MakeError("ERR_REF_NOT_FOUND",
                       "commit " + session->spec->ref + " is not the tip of any branch or tag of " + shown +
                           ", and the server does not serve other commits by id",
                       shown);
    }
    return error;
  }
  return {};
}

Error ConfigureRepository(git_repository* repo) {
  git_config* raw = nullptr;
  if (int rc = git_repository_config(&raw, repo); rc < 0) return GitFailure("opening the config", rc);
  GitConfig config(raw);
  // Checkout protections against paths that alias `.git` on NTFS and HFS+ (CVE-2014-9390): the
  // home may be shared with machines where they bite, and they cost nothing here.
  for (const char* key : {"core.protectNTFS", "core.protectHFS"}) {
    if (int rc = git_config_set_bool(config.get(), key, 1); rc < 0) return GitFailure(key, rc);
  }
  return {};
}

// The finished repository looks like `git clone --single-branch`'s: an `origin` remote (URL
// without credentials) that fetches that one branch, a local branch tracking it.
Error PointHead(git_repository* repo, const CloneSpec& spec, const Target& target, git_commit* commit) {
  const std::string url = UrlWithoutCredentials(spec.url);
  if (!target.is_branch) {
    git_remote* raw = nullptr;
    if (int rc = git_remote_create_with_fetchspec(&raw, repo, kOrigin, url.c_str(), nullptr); rc < 0) {
      return GitFailure("recording the remote", rc);
    }
    GitRemote remote(raw);
    if (int rc = git_repository_set_head_detached(repo, git_commit_id(commit)); rc < 0) {
      return GitFailure("detaching HEAD", rc);
    }
    return {};
  }
  const std::string branch = target.refname.substr(std::strlen("refs/heads/"));
  const std::string fetchspec = target.refspec;
  git_remote* raw_remote = nullptr;
  if (int rc = git_remote_create_with_fetchspec(&raw_remote, repo, kOrigin, url.c_str(), fetchspec.c_str());
      rc < 0) {
    return GitFailure("recording the remote", rc);
  }
  GitRemote remote(raw_remote);
  git_reference* raw_ref = nullptr;
  if (int rc = git_branch_create(&raw_ref, repo, branch.c_str(), commit, 0); rc < 0) {
    return GitFailure("creating the local branch", rc);
  }
  GitReference local(raw_ref);
  const std::string upstream = std::string(kOrigin) + "/" + branch;
  if (int rc = git_branch_set_upstream(local.get(), upstream.c_str()); rc < 0) {
    return GitFailure("setting the upstream", rc);
  }
  if (int rc = git_repository_set_head(repo, target.refname.c_str()); rc < 0) {
    return GitFailure("setting HEAD", rc);
  }
  return {};
}

// Checkout writers for one clone, this thread included: the second core is where git's own
// checkout is ahead (checkout_writer.h); more contend on the filesystem's locks for no gain.
constexpr size_t kCheckoutWriters = 2;

Error LibgitCheckout(git_repository* repo, bool has_attributes, Session* session);

// The tree of HEAD into the work tree: our writer on more than one core, unless a filter may
// apply (a .gitattributes anywhere), which only libgit2's checkout knows how to run.
Error Checkout(git_repository* repo, const BudgetWalkResult& walked, Session* session) {
  if (walked.has_attributes) return LibgitCheckout(repo, true, session);
  session->Emit(ClonePhase::kCheckout);
  const CheckoutProgressFn progress = [session](size_t done, size_t total) {
    session->progress.checked_out_files = done;
    session->progress.total_files = total;
    session->Emit(ClonePhase::kCheckout);
  };
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return WriteCheckout(repo, walked.entries, session->budget, progress, std::min(kCheckoutWriters, cores));
}

Error LibgitCheckout(git_repository* repo, bool has_attributes, Session* session) {
  git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
  // No .gitattributes anywhere (the budget walk looked): no filter can apply, and checkout may
  // skip the per-file attribute lookups (a third of its time for a thousand files).
  checkout.disable_filters = has_attributes ? 0 : 1;
  // The directory is fresh and ours: there is nothing to protect, so no dirty checks.
  checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
  checkout.progress_cb = OnCheckoutProgress;
  checkout.progress_payload = session;
  // Called per updated file; lets a cancel or the deadline stop a huge checkout.
  checkout.notify_flags = GIT_CHECKOUT_NOTIFY_UPDATED;
  checkout.notify_cb = OnCheckoutNotify;
  checkout.notify_payload = session;
  session->Emit(ClonePhase::kCheckout);
  if (int rc = git_checkout_head(repo, &checkout); rc < 0) return session->Fail("checking out", rc);
  return {};
}

bool ShallowRefused(GitSymptom symptom, UrlScheme scheme) {
  // A server without shallow support says so, whatever the transport.
  if (symptom == GitSymptom::kShallowUnsupported) return true;
  // git daemon's upload-pack (git 2.39) answers libgit2's depth request over git:// with
  // "expected SHA1 list" and hangs up: libgit2 then reports the broken connection. Over a
  // stateful transport (git://, ssh) that is what a refusal looks like; over HTTP it is not (smart
  // HTTP serves shallow fetches), so a dying HTTP server is not asked a second time.
  return symptom == GitSymptom::kConnectionLost && (scheme == UrlScheme::kGit || scheme == UrlScheme::kSsh);
}

}  // namespace

const char* ClonePhaseName(ClonePhase phase) {
  switch (phase) {
    case ClonePhase::kConnecting: return "connecting";
    case ClonePhase::kReceiving: return "receiving";
    case ClonePhase::kResolving: return "resolving";
    case ClonePhase::kCheckout: return "checkout";
    case ClonePhase::kDone: return "done";
  }
  return "done";
}

CloneLimits LimitsOf(const CloneSpec& spec) {
  CloneLimits limits;
  limits.max_files = spec.max_files;
  limits.max_checkout_bytes = spec.max_checkout_bytes;
  limits.max_file_bytes = spec.max_file_bytes;
  limits.max_received_bytes = spec.max_bytes;
  limits.max_memory_bytes = spec.max_memory_bytes;
  limits.timeout = spec.timeout;
  return limits;
}

Error CloneInto(const std::string& dir, const CloneSpec& spec, const CancelFlag& cancel,
                const CloneProgressFn& on_progress, CloneResult* result) {
  CloneBudget budget(LimitsOf(spec), cancel, RedactUrl(spec.url));
  return CloneInto(dir, spec, &budget, on_progress, result);
}

namespace {

// The clone's network access from its spec. A connection the clone does not open itself (to the
// target behind a proxy; over ssh, which runs the ssh binary) is checked by name up front.
Error NetworkAccessOf(const CloneSpec& spec, CloneBudget& budget, NetworkAccess* out) {
  if (Error e = NetworkPolicy::Parse(spec.allowed_networks, &out->policy)) return e;
  out->resolver = spec.resolver;
  const UrlScheme scheme = ClassifyUrl(spec.url);
  std::string host, port;
  if (!spec.proxy.empty() && (scheme == UrlScheme::kHttp || scheme == UrlScheme::kHttps)) {
    if (!HttpEndpoint(spec.proxy, &out->proxy_host, &out->proxy_port) || ClassifyUrl(spec.proxy) != UrlScheme::kHttp) {
      return MakeError("ERR_NOT_CONFIGURED", "the proxy must be an http:// URL with a host: " + RedactUrl(spec.proxy));
    }
    out->forward_plain_http = scheme == UrlScheme::kHttp;
    if (HttpEndpoint(spec.url, &host, &port)) return CheckTargetHost(*out, budget, host);
  }
  if (scheme == UrlScheme::kSsh && SshHost(spec.url, &host)) return CheckTargetHost(*out, budget, host);
  return {};
}

// A fresh repository in `dir`, configured and guarded (its object database checks each object
// of the pack against the budget as it arrives).
Error NewRepository(const std::string& dir, CloneBudget* budget, OdbGuardCounts* counts, GitRepository* out) {
  git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  // The staging directory made `dir` for us; an existing repository there is a bug, not a reuse.
  init.flags = GIT_REPOSITORY_INIT_NO_REINIT;
  git_repository* raw_repo = nullptr;
  if (int rc = git_repository_init_ext(&raw_repo, dir.c_str(), &init); rc < 0) {
    return GitFailure("creating the repository", rc);
  }
  *out = GitRepository(raw_repo);
  if (Error e = ConfigureRepository(out->get())) return e;
  return GuardObjectDatabase(out->get(), budget, counts);
}

// Asks the remote what it has (`git ls-remote`) and decides what to fetch; the connection stays
// open for the fetch.
Error ConnectAndResolve(git_repository* repo, Session* session, GitRemote* remote, Target* target) {
  Error error;
  *remote = NewRemote(repo, session, &error);
  if (error) return error;
  git_remote_connect_options connect = GIT_REMOTE_CONNECT_OPTIONS_INIT;
  connect.callbacks = Callbacks(session);
  connect.follow_redirects = GIT_REMOTE_REDIRECT_INITIAL;
  connect.proxy_opts = ProxyOptions(*session->spec);
  if (int rc = git_remote_connect_ext(remote->get(), GIT_DIRECTION_FETCH, &connect); rc < 0) {
    return session->Fail("connecting", rc);
  }
  return ResolveTarget(remote->get(), *session->spec, target);
}

// Fetches exactly the target, shallow when asked; a server that refuses a shallow fetch is asked
// for the whole history instead (`*shallow` says which it was).
Error FetchTarget(git_repository* repo, git_remote* remote, Session* session, const Target& target, bool* shallow) {
  const CloneSpec& spec = *session->spec;
  *shallow = spec.depth > 0;
  Error fetched = Fetch(remote, session, target, spec.depth);
  if (fetched && *shallow && !session->stop && ShallowRefused(session->symptom, ClassifyUrl(spec.url))) {
    session->bytes_before_attempt = session->progress.received_bytes;
    *shallow = false;
    Error error;
    GitRemote retry = NewRemote(repo, session, &error);
    if (error) return error;
    fetched = Fetch(retry.get(), session, target, GIT_FETCH_DEPTH_FULL);
  }
  if (fetched) return fetched;
  return session->Check() != 0 ? session->stop : Error{};
}

// The commit the target leads to (an annotated tag peels to its commit).
Error PeelToCommit(git_repository* repo, Session* session, const Target& target, GitCommit* out) {
  git_object* raw_object = nullptr;
  if (int rc = git_object_lookup(&raw_object, repo, &target.oid, GIT_OBJECT_ANY); rc < 0) {
    return session->Fail("looking up the fetched object", rc);
  }
  GitObject object(raw_object);
  git_object* raw_peeled = nullptr;
  if (int rc = git_object_peel(&raw_peeled, object.get(), GIT_OBJECT_COMMIT); rc < 0) {
    return session->Fail("peeling to a commit", rc);
  }
  *out = GitCommit(reinterpret_cast<git_commit*>(raw_peeled));
  return {};
}

// HEAD and origin as `git clone` leaves them, then the budget walk over the tree (nothing is
// written before it passes), then checkout.
Error CheckAndCheckout(git_repository* repo, Session* session, const Target& target, git_commit* commit,
                       BudgetWalkResult* walked) {
  if (Error e = PointHead(repo, *session->spec, target, commit)) return e;
  if (Error e = BudgetWalk(repo, commit, session->budget, walked)) return e;
  if (Error e = Checkout(repo, *walked, session)) return e;
  return session->Check() != 0 ? session->stop : Error{};
}

void Report(const Session& session, const Target& target, git_commit* commit, bool shallow, CloneResult* result) {
  char hex[kHexIdLength + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_commit_id(commit));
  result->commit = hex;
  result->ref = target.refname.empty() ? result->commit : target.refname;
  result->received_bytes = session.progress.received_bytes;
  result->objects = session.progress.total_objects;
  result->files = session.progress.total_files;
  result->shallow = shallow;
}

// ---- Submodules (spec.submodules) ----
// Each one as `git submodule update --init --recursive` would leave it, so that the git CLI in the
// container finds it initialized: its git dir at <superproject's git dir>/modules/<name>, a
// `<path>/.git` file and core.worktree with relative paths (the home is mounted elsewhere in the
// container), `submodule.<name>.url` and `.active` in the superproject's config, HEAD detached at
// the recorded commit. All of it in the staging area, which only this clone writes.

// Deeper nesting than this is not a dotfiles repository; the budget would end it anyway.
constexpr int kMaxSubmoduleLevels = 8;

struct Superproject {
  git_repository* repo;
  git_commit* commit;
  std::string workdir;  // absolute
  std::string gitdir;   // absolute
  std::string url;      // its submodules' relative URLs resolve against it
  std::string prefix;   // its path below the top superproject: "" or "dotbot/"
  int level;
};

// .gitmodules as the checkout wrote it (the budget walk refused one that is a symlink).
Error ReadGitmodules(const std::string& workdir, std::vector<GitmodulesEntry>* out) {
  const std::string file = workdir + "/.gitmodules";
  struct stat st;
  if (::lstat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return SysError("ERR_CLONE_FAILED", "lstat", errno, ".gitmodules", "cannot read .gitmodules");
  }
  if (!S_ISREG(st.st_mode)) return MakeError("ERR_CLONE_UNSAFE_PATH", ".gitmodules is not a regular file", ".gitmodules");
  git_config* raw = nullptr;
  if (int rc = git_config_open_ondisk(&raw, file.c_str()); rc < 0) return GitFailure("reading .gitmodules", rc, "ERR_CLONE_UNSAFE_PATH");
  GitConfig config(raw);
  const auto take = [](const git_config_entry* entry, void* payload) -> int {
    // "submodule.<name>.<key>": the name may hold dots, the key does not.
    const std::string_view full = entry->name;
    const size_t last = full.rfind('.');
    constexpr std::string_view kPrefix = "submodule.";
    if (last == std::string_view::npos || last <= kPrefix.size()) return 0;
    static_cast<std::vector<GitmodulesEntry>*>(payload)->push_back(
        {std::string(full.substr(kPrefix.size(), last - kPrefix.size())), std::string(full.substr(last + 1)),
         entry->value != nullptr ? entry->value : ""});
    return 0;
  };
  if (int rc = git_config_foreach_match(config.get(), "^submodule\\.", take, out); rc < 0) {
    return GitFailure("reading .gitmodules", rc, "ERR_CLONE_UNSAFE_PATH");
  }
  return {};
}

// The submodule's work tree below the superproject's: every component a real directory, never
// a symlink the repository planted (CVE-2024-32002's shape), the last made when checkout did not.
Error PrepareSubmoduleDir(const std::string& workdir, const SubmoduleDecl& decl) {
  std::string at = workdir;
  size_t start = 0;
  while (start <= decl.path.size()) {
    size_t slash = decl.path.find('/', start);
    if (slash == std::string::npos) slash = decl.path.size();
    at += "/" + decl.path.substr(start, slash - start);
    struct stat st;
    if (::lstat(at.c_str(), &st) != 0) {
      if (errno != ENOENT || slash != decl.path.size() || ::mkdir(at.c_str(), 0755) != 0) {
        return MakeError("ERR_CLONE_UNSAFE_PATH", "submodule '" + decl.name + "': its path '" + decl.path +
                                                      "' does not lead to a directory of the checkout", decl.path);
      }
    } else if (!S_ISDIR(st.st_mode)) {
      return MakeError("ERR_CLONE_UNSAFE_PATH",
                       "submodule '" + decl.name + "': its path '" + decl.path + "' leads through " +
                           (S_ISLNK(st.st_mode) ? "a symbolic link" : "a file") + " of the checkout",
                       decl.path);
    }
    start = slash + 1;
  }
  return {};
}

bool SameHost(const std::string& a, const std::string& b) {
  const std::string host = UrlHost(a);
  return !host.empty() && host == UrlHost(b);
}

// The submodule's repository: git dir and work tree apart, linked by relative paths.
Error NewSubmoduleRepository(const std::string& gitdir, const std::string& workdir, CloneBudget* budget,
                             GitRepository* out) {
  git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  init.flags = GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT | GIT_REPOSITORY_INIT_NO_DOTGIT_DIR |
               GIT_REPOSITORY_INIT_RELATIVE_GITLINK;
  init.workdir_path = workdir.c_str();
  git_repository* raw = nullptr;
  if (int rc = git_repository_init_ext(&raw, gitdir.c_str(), &init); rc < 0) {
    return GitFailure("creating the submodule's repository", rc);
  }
  *out = GitRepository(raw);
  if (Error e = ConfigureRepository(out->get())) return e;
  return GuardObjectDatabase(out->get(), budget);
}

// A server that will not hand out the recorded commit alone (no allow-*-sha1-in-want): every
// branch, whole, and the commit must be among them.
Error FetchEverything(git_repository* repo, Session* session, Target* target, bool* shallow) {
  *shallow = false;
  Error error;
  GitRemote remote = NewRemote(repo, session, &error);
  if (error) return error;
  Target all = *target;
  all.refspec = std::string("+refs/heads/*:refs/remotes/") + kOrigin + "/*";
  all.refname = "refs/heads/*";  // a refspec, not a bare id: no "not served" reading of a failure
  if (Error e = Fetch(remote.get(), session, all, GIT_FETCH_DEPTH_FULL)) return e;
  git_object* found = nullptr;
  if (git_object_lookup(&found, repo, &target->oid, GIT_OBJECT_COMMIT) < 0) {
    const std::string shown = RedactUrl(session->spec->url);
    return MakeError("ERR_REF_NOT_FOUND", "commit " + session->spec->ref + " is on no branch of " + shown, shown);
  }
  git_object_free(found);
  return {};
}

// The recorded commit of `decl`, fetched (depth 1 when the server serves it alone) and checked
// out detached; `spec` is the submodule's own (its URL, the commit as its ref). `walked` is the
// budget walk of its tree, whose gitlinks are the nested submodules.
Error FetchSubmodule(git_repository* repo, const CloneSpec& spec, CloneBudget* budget, bool* shallow, GitCommit* commit,
                     BudgetWalkResult* walked) {
  static const CloneProgressFn kNoProgress;
  Session session;
  session.spec = &spec;
  session.budget = budget;
  session.on_progress = &kNoProgress;
  // The budget's pack count is a maximum per fetch: this fetch's bytes come on top of the rest.
  session.bytes_before_attempt = budget->received_bytes();
  GitRemote remote;
  Target target;
  if (Error e = ConnectAndResolve(repo, &session, &remote, &target)) return e;
  Error fetched = FetchTarget(repo, remote.get(), &session, target, shallow);
  if (fetched.code == "ERR_REF_NOT_FOUND" && target.refname.empty()) fetched = FetchEverything(repo, &session, &target, shallow);
  if (fetched) return fetched;
  if (Error e = PeelToCommit(repo, &session, target, commit)) return e;
  git_remote* raw = nullptr;
  const std::string url = UrlWithoutCredentials(spec.url);
  if (int rc = git_remote_create(&raw, repo, kOrigin, url.c_str()); rc < 0) return GitFailure("recording the remote", rc);
  GitRemote origin(raw);
  if (int rc = git_repository_set_head_detached(repo, git_commit_id(commit->get())); rc < 0) {
    return GitFailure("detaching HEAD", rc);
  }
  if (Error e = BudgetWalk(repo, commit->get(), budget, walked)) return e;
  if (Error e = Checkout(repo, *walked, &session)) return e;
  return session.Check() != 0 ? session.stop : Error{};
}

Error RecordSubmodule(git_repository* super, const SubmoduleDecl& decl, const std::string& url) {
  git_config* raw = nullptr;
  if (int rc = git_repository_config(&raw, super); rc < 0) return GitFailure("opening the config", rc);
  GitConfig config(raw);
  const std::string key = "submodule." + decl.name + ".";
  if (int rc = git_config_set_string(config.get(), (key + "url").c_str(), UrlWithoutCredentials(url).c_str()); rc < 0) {
    return GitFailure("recording the submodule", rc);
  }
  if (int rc = git_config_set_bool(config.get(), (key + "active").c_str(), 1); rc < 0) {
    return GitFailure("recording the submodule", rc);
  }
  return {};
}

Error CloneSubmodules(const Superproject& super, const std::vector<std::string>& gitlinks, const CloneSpec& top,
                      CloneBudget* budget, std::vector<SubmoduleResult>* results);

Error CloneSubmodule(const Superproject& super, const SubmoduleDecl& decl, const CloneSpec& top, CloneBudget* budget,
                     std::vector<SubmoduleResult>* results) {
  const auto named = [&](Error e) {
    e.message = "submodule '" + super.prefix + decl.path + "': " + e.message;
    return e;
  };
  CloneSpec spec = top;
  if (Error e = ResolveSubmoduleUrl(super.url, decl.url, &spec.url)) return named(e);
  if (Error e = CheckUrlAllowed(spec.url, top.allowed_protocols)) return named(e);
  // Credentials are for the host they were given for: a submodule elsewhere gets none.
  if (!SameHost(top.url, spec.url)) spec.credentials.reset();
  GitTreeEntry entry;
  {
    git_tree* raw_tree = nullptr;
    if (int rc = git_commit_tree(&raw_tree, super.commit); rc < 0) return GitFailure("reading the tree", rc);
    GitTree tree(raw_tree);
    git_tree_entry* raw_entry = nullptr;
    if (int rc = git_tree_entry_bypath(&raw_entry, tree.get(), decl.path.c_str()); rc < 0) {
      return GitFailure("finding the gitlink", rc);
    }
    entry = GitTreeEntry(raw_entry);
  }
  char hex[kHexIdLength + 1] = {};
  git_oid_tostr(hex, sizeof hex, git_tree_entry_id(entry.get()));
  spec.ref = hex;
  spec.depth = 1;
  if (Error e = PrepareSubmoduleDir(super.workdir, decl)) return e;

  NetworkAccess network;
  if (Error e = NetworkAccessOf(spec, *budget, &network)) return named(e);
  std::string host, port;
  if (!HttpEndpoint(spec.url, &host, &port)) host.clear();
  const TransferScope transfer(*budget, network, host, port);
  const std::string gitdir = super.gitdir + "/modules/" + decl.name;
  const std::string workdir = super.workdir + "/" + decl.path;
  GitRepository repo;
  if (Error e = NewSubmoduleRepository(gitdir, workdir, budget, &repo)) return named(e);
  bool shallow = false;
  GitCommit commit;
  BudgetWalkResult walked;
  if (Error e = FetchSubmodule(repo.get(), spec, budget, &shallow, &commit, &walked)) return named(e);
  if (Error e = RecordSubmodule(super.repo, decl, spec.url)) return named(e);
  results->push_back({super.prefix + decl.path, hex, shallow});
  const Superproject child{repo.get(), commit.get(), workdir, gitdir, spec.url, super.prefix + decl.path + "/", super.level + 1};
  return CloneSubmodules(child, walked.gitlinks, top, budget, results);
}

Error CloneSubmodules(const Superproject& super, const std::vector<std::string>& gitlinks, const CloneSpec& top,
                      CloneBudget* budget, std::vector<SubmoduleResult>* results) {
  if (gitlinks.empty()) return {};
  std::vector<GitmodulesEntry> entries;
  if (Error e = ReadGitmodules(super.workdir, &entries)) return e;
  std::vector<SubmoduleDecl> decls;
  if (Error e = SubmodulesToClone(entries, gitlinks, &decls)) return e;
  if (!decls.empty() && super.level >= kMaxSubmoduleLevels) {
    return MakeError("ERR_CLONE_UNSAFE_PATH",
                     "submodules nested more than " + std::to_string(kMaxSubmoduleLevels) + " levels deep", super.prefix);
  }
  for (const SubmoduleDecl& decl : decls) {
    if (Error e = CloneSubmodule(super, decl, top, budget, results)) return e;
  }
  return {};
}

// The clone's phases in order: repository, connect, fetch, check, checkout. (The swap into the
// home is the caller's: clone_swap.h.)
Error CloneWithin(const std::string& dir, const CloneSpec& spec, CloneBudget* budget, const CloneProgressFn& on_progress,
                  CloneResult* result) {
  Session session;
  session.spec = &spec;
  session.budget = budget;
  session.on_progress = &on_progress;
  if (session.Check() != 0) return session.stop;
  // Everything libgit2 allocates on this thread from here on, until the repository below is
  // freed, is charged to the budget's heap.
  const HeapAccount::Scope heap(budget->heap());
  // Every socket this clone opens watches the budget while it waits, and connects only where the
  // network policy lets it.
  NetworkAccess network;
  if (Error e = NetworkAccessOf(spec, *budget, &network)) return e;
  std::string host, port;
  if (!HttpEndpoint(spec.url, &host, &port)) host.clear();
  const TransferScope transfer(*budget, network, host, port);
  // Its TLS connections verify against the system store plus this clone's caFile, and no other
  // clone's (tls_stream.h: libgit2's own TLS has one store for the whole process).
  const TlsTrustScope trust(spec.ca_file);
  session.Emit(ClonePhase::kConnecting);

  OdbGuardCounts counts;  // outlives the repository, whose guard counts into it
  GitRepository repo;
  if (Error e = NewRepository(dir, budget, &counts, &repo)) return e;
  GitRemote remote;
  Target target;
  if (Error e = ConnectAndResolve(repo.get(), &session, &remote, &target)) return e;
  bool shallow = false;
  if (Error e = FetchTarget(repo.get(), remote.get(), &session, target, &shallow)) return e;
  GitCommit commit;
  if (Error e = PeelToCommit(repo.get(), &session, target, &commit)) return e;
  BudgetWalkResult walked;
  if (Error e = CheckAndCheckout(repo.get(), &session, target, commit.get(), &walked)) return e;
  if (spec.submodules) {
    const Superproject top{repo.get(), commit.get(), dir, dir + "/.git", spec.url, "", 0};
    if (Error e = CloneSubmodules(top, walked.gitlinks, spec, budget, &result->submodules)) return e;
  }
  Report(session, target, commit.get(), shallow, result);
  result->objects_from_stream = counts.objects_from_stream.load();
  result->packs_indexed_here = counts.packs_indexed_here.load();
  result->packs_indexed_by_libgit2 = counts.packs_indexed_by_libgit2.load();
  session.Emit(ClonePhase::kDone);
  return {};
}

}  // namespace

Error CloneInto(const std::string& dir, const CloneSpec& spec, CloneBudget* budget, const CloneProgressFn& on_progress,
                CloneResult* result) {
  if (Error e = CheckUrlAllowed(spec.url, spec.allowed_protocols)) return e;
  if (Error e = EnsureGitRuntime()) return e;
  Error error = CloneWithin(dir, spec, budget, on_progress, result);
  // The policy's refusal is about the URL the user gave: it is the error's `url`.
  if (error.code == "ERR_DESTINATION_NOT_ALLOWED" && error.path.empty()) error.path = RedactUrl(spec.url);
  // Wherever libgit2 failed, a crossed limit is the reason to report. A refused allocation is
  // the reason whatever the failure looked like: libgit2 drops some of what it cannot allocate
  // and goes on (a ref advertisement without its HEAD reads as "no default branch").
  if (error && (error.code == "ERR_CLONE_FAILED" || budget->heap().refused())) {
    if (const Error& stop = budget->Check()) return stop;
  }
  return error;
}

}  // namespace home
