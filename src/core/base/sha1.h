// SHA-1 through OpenSSL's EVP interface, for checksums only: a pack's trailer and its index's.
// Object ids are hashed by libgit2's collision-detecting SHA-1 (git_odb_hash), never here: an id
// names what a hostile repository's owner chose, a checksum only what the stream carried.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <memory>

namespace home {

class Sha1 {
 public:
  static constexpr size_t kSize = 20;

  Sha1();
  // False when OpenSSL could not start (out of memory): every later call then fails too.
  bool ok() const { return ok_; }
  void Update(const unsigned char* data, size_t size);
  // The digest of everything updated so far; false when any step failed.
  bool Final(unsigned char out[kSize]);

 private:
  struct FreeContext {
    void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
  };
  std::unique_ptr<EVP_MD_CTX, FreeContext> context_;
  bool ok_ = false;
};

}  // namespace home
