// The dotfiles config hash that decides whether a home's clone and setup must run again. It must
// stay byte-identical to the seed's
//   sha256(JSON.stringify({ repo, ref: ref ?? '', setup: setup ?? '' }))
// or every existing home is re-cloned after the swap.
#pragma once

#include <optional>
#include <string>

namespace home {

struct ConfigHashInput {
  std::optional<std::u16string> repo;  // JSON.stringify drops a key whose value is undefined
  std::u16string ref;                  // `ref ?? ''`
  std::u16string setup;                // `setup ?? ''`
};

// The JSON text the seed hashes, as UTF-8.
std::string ConfigJson(const ConfigHashInput& input);

// Lowercase hex SHA-256 of ConfigJson(input).
std::string ConfigHash(const ConfigHashInput& input);

}  // namespace home
