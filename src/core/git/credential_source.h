// Where a clone gets the username and password a server asks for: the worker's `clone.credentials`
// function (addon/js_credentials.h), asked on the JS thread while the clone's thread waits in
// intervals that check the budget. The secret lives in memory only, for as long as libgit2 needs
// it to answer one challenge: it is never stored in the repository (the remote URL is recorded
// without user info), an error, a progress event or the report, and its buffer is wiped when it
// goes.
#pragma once

#include <optional>
#include <string>

#include "core/base/error.h"
#include "core/git/clone_budget.h"

namespace home {

// What the server's challenge concerns. `url` carries no user info.
struct CredentialRequest {
  std::string url;
  std::string host;
  std::string protocol;  // "https", "http", "ssh", ...
  int attempt = 1;       // 1 for the first challenge of this clone, 2 after a refusal
};

// A username and password whose bytes are overwritten when it is destroyed.
class Credential {
 public:
  Credential(std::string username, std::string password)
      : username_(std::move(username)), password_(std::move(password)) {}
  Credential(const Credential&) = delete;
  Credential& operator=(const Credential&) = delete;
  // A move copies and wipes the source: a moved-from short string keeps its bytes otherwise.
  Credential(Credential&& other);
  Credential& operator=(Credential&& other);
  ~Credential();

  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }

 private:
  std::string username_;
  std::string password_;
};

// Overwrites `secret`'s bytes where they are (the compiler may not drop the stores).
void WipeSecret(std::string* secret);

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // The credential to offer for `request`, or none (`*out` empty: the source has none for this
  // server). An Error is the budget's reason, or ERR_CLONE_AUTH saying what went wrong in the
  // source (it threw, answered something that is not a credential, or went away).
  virtual Error Ask(const CredentialRequest& request, CloneBudget& budget, std::optional<Credential>* out) = 0;
};

}  // namespace home
