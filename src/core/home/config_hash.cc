#include "core/home/config_hash.h"

#include "core/base/json_stringify.h"
#include "core/base/sha256.h"

namespace home {

std::string ConfigJson(const ConfigHashInput& input) {
  // Key order is the seed's object literal order: repo, ref, setup.
  std::string json = "{";
  if (input.repo) {
    json += "\"repo\":";
    AppendJsonString(json, *input.repo);
    json += ',';
  }
  json += "\"ref\":";
  AppendJsonString(json, input.ref);
  json += ",\"setup\":";
  AppendJsonString(json, input.setup);
  json += '}';
  return json;
}

std::string ConfigHash(const ConfigHashInput& input) { return Sha256Hex(ConfigJson(input)); }

}  // namespace home
