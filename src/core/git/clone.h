// Clones one ref of a remote repository into a fresh local directory with libgit2: what
// `git clone --depth N --single-branch [--branch REF] URL DIR` does, within a budget (bytes,
// time, entries, sizes, memory: clone_budget.h) checked as data arrives and before checkout
// writes a file. The directory must be private to us (staging.h): libgit2 writes by path.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/cancel.h"
#include "core/base/error.h"
#include "core/git/clone_budget.h"
#include "core/git/credential_source.h"
#include "core/git/host_resolver.h"

namespace home {

struct CloneSpec {
  std::string url;
  std::string ref;  // branch, tag, full ref name or 40-hex commit id; empty: the remote's HEAD
  int depth = 1;    // 0: the whole history
  std::chrono::milliseconds timeout{0};  // 0: none
  uint64_t max_bytes = 0;                // received bytes; 0: no limit
  std::vector<std::string> allowed_protocols;
  std::string ca_file;  // extra trusted CA bundle (PEM); empty: the system store only

  // What the clone may reach (network_access.h): CIDR networks beyond public unicast, the
  // resolver for names (null: the system's), and a proxy URL (`http://host:port`, empty: none).
  std::vector<std::string> allowed_networks;
  std::shared_ptr<HostResolver> resolver;
  std::string proxy;

  // Check out the submodules too (submodule_config.h, CloneSubmodules in clone.cc), under the
  // same protocols, network policy and budget.
  bool submodules = false;

  // Asked for a username and password when a server wants them (credential_source.h); null: the
  // clone has none, and a server that asks is ERR_CLONE_AUTH.
  std::shared_ptr<CredentialSource> credentials;

  // The rest of the clone's budget (clone_budget.h, with max_bytes and timeout); 0: no limit.
  uint64_t max_files = 0;           // entries in the checkout
  uint64_t max_checkout_bytes = 0;  // sum of the checked-out blobs' sizes
  uint64_t max_file_bytes = 0;      // the largest blob
  uint64_t max_memory_bytes = 0;    // libgit2's live heap on the clone's thread
};

// The budget `spec` asks for.
CloneLimits LimitsOf(const CloneSpec& spec);

enum class ClonePhase { kConnecting, kReceiving, kResolving, kCheckout, kDone };
const char* ClonePhaseName(ClonePhase phase);

struct CloneProgress {
  ClonePhase phase = ClonePhase::kConnecting;
  uint64_t received_objects = 0;
  uint64_t total_objects = 0;
  uint64_t received_bytes = 0;
  uint64_t checked_out_files = 0;
  uint64_t total_files = 0;
};

// Called on the cloning thread, often (every received chunk): must be cheap and must not block.
using CloneProgressFn = std::function<void(const CloneProgress&)>;

// A submodule the clone checked out (spec.submodules).
struct SubmoduleResult {
  std::string path;    // below the superproject's root, nested ones included ("dotbot/lib/pyyaml")
  std::string commit;  // the commit the superproject records, checked out detached
  bool shallow = false;  // false when the server would not serve that commit alone
};

struct CloneResult {
  std::vector<SubmoduleResult> submodules;
  std::string commit;  // 40-hex id of the checked-out commit
  std::string ref;     // full ref name fetched ("refs/heads/main", "refs/tags/v1") or the id
  uint64_t received_bytes = 0;
  uint64_t objects = 0;
  uint64_t objects_from_stream = 0;  // reads of the superproject's objects answered without the pack (odb_guard.h)
  // The superproject's packs indexed from the pack scanner's names, and by libgit2's indexer.
  uint64_t packs_indexed_here = 0;
  uint64_t packs_indexed_by_libgit2 = 0;
  uint64_t files = 0;
  bool shallow = false;  // false when depth was 0 or the server refused a shallow fetch
};

// Clones into `dir`, which must exist and be empty, drawing on `budget` (which the caller may
// share with other fetches of the same clone; its limits, not `spec`'s, apply). Codes:
// ERR_PROTOCOL_NOT_ALLOWED, ERR_DESTINATION_NOT_ALLOWED (the network policy), ERR_INVALID_ARG_TYPE
// (allowed_networks malformed), ERR_NOT_CONFIGURED (the proxy is not an http:// URL), ERR_REF_NOT_FOUND, ERR_CLONE_TIMEOUT, ERR_CLONE_TOO_LARGE (naming the
// limit), ERR_CLONE_UNSAFE_PATH (a path git would refuse, found before anything is checked out),
// ERR_ABORTED, ERR_CLONE_FAILED (libgit2's class and message). Every message is free of URL
// credentials. On failure `dir` holds debris for the caller to remove.
Error CloneInto(const std::string& dir, const CloneSpec& spec, CloneBudget* budget, const CloneProgressFn& on_progress,
                CloneResult* result);

// The same with a budget of its own, made from `spec` and `cancel`.
Error CloneInto(const std::string& dir, const CloneSpec& spec, const CancelFlag& cancel,
                const CloneProgressFn& on_progress, CloneResult* result);

}  // namespace home
