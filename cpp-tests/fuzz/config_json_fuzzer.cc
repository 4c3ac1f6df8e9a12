// libFuzzer target for the config hash's JSON encoding (json_stringify.cc, config_hash.cc),
// compared with a reference: nlohmann::ordered_json. The input is a sequence of UTF-16 code
// units; the reference decodes it from a JSON literal of \uXXXX escapes (its own UTF-16 decoder)
// and dumps it again. Lone surrogates, which JSON.stringify writes as lowercase \udxxx and
// nlohmann refuses, are cut out of the input: the well-formed runs between them go to nlohmann,
// the lone units are compared with their escape.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/base/json_stringify.h"
#include "core/home/config_hash.h"

namespace {

using Json = nlohmann::ordered_json;

bool IsHigh(char16_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool IsLow(char16_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

std::string Escape(char16_t unit) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(unit));
  return buf;
}

// UTF-8 of a well-formed UTF-16 run, decoded by nlohmann's parser.
std::string Utf8ByNlohmann(const std::u16string& run) {
  std::string literal = "\"";
  for (char16_t u : run) literal += Escape(u);
  literal += '"';
  return Json::parse(literal).get<std::string>();
}

// What JSON.stringify makes of `value`, built from the reference pieces.
std::string Reference(const std::u16string& value) {
  std::string out = "\"";
  std::u16string run;
  auto flush = [&] {
    if (run.empty()) return;
    const std::string dumped = Json(Utf8ByNlohmann(run)).dump();
    out += dumped.substr(1, dumped.size() - 2);
    run.clear();
  };
  for (size_t i = 0; i < value.size(); ++i) {
    const char16_t u = value[i];
    if (IsHigh(u) && i + 1 < value.size() && IsLow(value[i + 1])) {
      run += u;
      run += value[++i];
    } else if (IsHigh(u) || IsLow(u)) {
      flush();
      out += Escape(u);  // a lone surrogate: lowercase \udxxx, as ES2019 JSON.stringify
    } else {
      run += u;
    }
  }
  flush();
  return out + '"';
}

std::u16string Units(FuzzedDataProvider& input, size_t max_units) {
  std::u16string out;
  const size_t n = input.ConsumeIntegralInRange<size_t>(0, max_units);
  for (size_t i = 0; i < n && input.remaining_bytes() > 0; ++i) {
    // Bias towards the interesting ranges: ASCII controls, surrogates, the rest.
    switch (input.ConsumeIntegralInRange<int>(0, 3)) {
      case 0: out += static_cast<char16_t>(input.ConsumeIntegralInRange<uint16_t>(0, 0x7f)); break;
      case 1: out += static_cast<char16_t>(input.ConsumeIntegralInRange<uint16_t>(0xD800, 0xDFFF)); break;
      default: out += static_cast<char16_t>(input.ConsumeIntegral<uint16_t>()); break;
    }
  }
  return out;
}

void Check(bool condition, const char* what, const std::string& got, const std::string& want) {
  if (condition) return;
  std::fprintf(stderr, "%s\n  got:  %s\n  want: %s\n", what, got.c_str(), want.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  home::ConfigHashInput config;
  if (input.ConsumeBool()) config.repo = Units(input, 64);
  config.ref = Units(input, 64);
  config.setup = Units(input, 256);

  for (const std::u16string* field : {&config.ref, &config.setup}) {
    std::string got;
    home::AppendJsonString(got, *field);
    const std::string want = Reference(*field);
    Check(got == want, "AppendJsonString differs from the reference", got, want);
  }

  // The whole object: key order repo, ref, setup; repo dropped when absent (undefined).
  const std::string got = home::ConfigJson(config);
  std::string want = "{";
  if (config.repo) want += "\"repo\":" + Reference(*config.repo) + ",";
  want += "\"ref\":" + Reference(config.ref) + ",\"setup\":" + Reference(config.setup) + "}";
  Check(got == want, "ConfigJson differs from the reference", got, want);

  // Without lone surrogates nlohmann can build the object itself, key order included.
  auto well_formed = [](const std::u16string& s) {
    for (size_t i = 0; i < s.size(); ++i) {
      if (IsHigh(s[i]) && i + 1 < s.size() && IsLow(s[i + 1])) {
        ++i;
      } else if (IsHigh(s[i]) || IsLow(s[i])) {
        return false;
      }
    }
    return true;
  };
  if ((!config.repo || well_formed(*config.repo)) && well_formed(config.ref) && well_formed(config.setup)) {
    Json object = Json::object();
    if (config.repo) object["repo"] = Utf8ByNlohmann(*config.repo);
    object["ref"] = Utf8ByNlohmann(config.ref);
    object["setup"] = Utf8ByNlohmann(config.setup);
    const std::string dumped = object.dump();
    Check(got == dumped, "ConfigJson differs from nlohmann::ordered_json", got, dumped);
  }
  return 0;
}
