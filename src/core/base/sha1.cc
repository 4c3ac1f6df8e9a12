#include "core/base/sha1.h"

namespace home {

Sha1::Sha1() : context_(EVP_MD_CTX_new()) {
  ok_ = context_ != nullptr && EVP_DigestInit_ex(context_.get(), EVP_sha1(), nullptr) == 1;
}

void Sha1::Update(const unsigned char* data, size_t size) {
  if (ok_ && size != 0) ok_ = EVP_DigestUpdate(context_.get(), data, size) == 1;
}

bool Sha1::Final(unsigned char out[kSize]) {
  unsigned int length = 0;
  ok_ = ok_ && EVP_DigestFinal_ex(context_.get(), out, &length) == 1 && length == kSize;
  return ok_;
}

}  // namespace home
