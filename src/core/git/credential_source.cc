#include "core/git/credential_source.h"

#include <cstring>

namespace home {

void WipeSecret(std::string* secret) {
  if (secret->empty()) return;
  // explicit_bzero: a memset the optimizer keeps although the buffer is about to be freed.
  explicit_bzero(secret->data(), secret->size());
  secret->clear();
}

Credential::Credential(Credential&& other) : username_(other.username_), password_(other.password_) {
  WipeSecret(&other.password_);
  WipeSecret(&other.username_);
}

Credential& Credential::operator=(Credential&& other) {
  if (this != &other) {
    WipeSecret(&password_);
    WipeSecret(&username_);
    username_ = other.username_;
    password_ = other.password_;
    WipeSecret(&other.password_);
    WipeSecret(&other.username_);
  }
  return *this;
}

Credential::~Credential() {
  WipeSecret(&password_);
  WipeSecret(&username_);
}

}  // namespace home
