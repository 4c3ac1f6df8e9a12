// The config hash against two references: fixed digests computed by Node's
// crypto.createHash('sha256').update(JSON.stringify(...)), and nlohmann::ordered_json's dump,
// which escapes exactly as JSON.stringify does for well-formed Unicode.
#include "core/home/config_hash.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "core/base/json_stringify.h"

namespace home {
namespace {

std::u16string U16(const char16_t* s) { return std::u16string(s); }

// An independent UTF-32 -> UTF-8 encoder for the reference side.
std::string Utf8Of(const std::u32string& text) {
  std::string out;
  for (char32_t cp : text) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    } else if (cp < 0x10000) {
      out += {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
              static_cast<char>(0x80 | (cp & 0x3F))};
    } else {
      out += {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
              static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    }
  }
  return out;
}

TEST(ConfigHash, MatchesNodeForKnownInputs) {
  // node -e "console.log(require('crypto').createHash('sha256').update(JSON.stringify(
  //   {repo:'https://x',ref:'',setup:''})).digest('hex'))"
  EXPECT_EQ(ConfigHash({U16(u"https://x"), u"", u""}),
            "6effd06ba96542c037e081efa7889a919bc1efb2086bd6dd4f41c2693db2b900");
}

TEST(ConfigHash, KeyOrderAndMissingRepo) {
  EXPECT_EQ(ConfigJson({U16(u"r"), u"m", u"s"}), R"({"repo":"r","ref":"m","setup":"s"})");
  // JSON.stringify({repo: undefined, ref: '', setup: ''}) drops the key.
  EXPECT_EQ(ConfigJson({std::nullopt, u"", u""}), R"({"ref":"","setup":""})");
}

TEST(JsonStringify, EscapesLikeEcmaScript) {
  std::string out;
  AppendJsonString(out, u"\"\\\b\f\n\r\t\x01\x1f\x7f");
  EXPECT_EQ(out, "\"\\\"\\\\\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"");
}

TEST(JsonStringify, LoneSurrogatesAreEscapedPairsAreUtf8) {
  std::string out;
  const char16_t units[] = {0xD83D, 0xDE00, 0xD800, u'a', 0xDC00, 0x2028, 0};
  AppendJsonString(out, units);
  EXPECT_EQ(out, "\"\xF0\x9F\x98\x80\\ud800a\\udc00\xE2\x80\xA8\"");
}

// Random well-formed strings: our encoder and nlohmann::ordered_json agree byte for byte.
TEST(JsonStringify, AgreesWithNlohmannOnWellFormedUnicode) {
  std::mt19937 rng(12345);
  const char32_t pool[] = {0x00, 0x08, 0x09, 0x0A, 0x1F, 0x20, u'"', u'\\', u'/', 0x7F, 0xE9, 0x4E2D,
                           0x2028, 0x2029, 0xFFFD, 0x1F600, 0x10FFFF, u'a', u'z'};
  for (int round = 0; round < 5000; ++round) {
    std::u16string u16;
    std::u32string u32;
    const int length = static_cast<int>(rng() % 24);
    for (int i = 0; i < length; ++i) {
      const char32_t cp = (rng() % 4 == 0) ? pool[rng() % std::size(pool)]
                                           : static_cast<char32_t>(rng() % 0xD7FF);
      u32 += cp;
      if (cp >= 0x10000) {
        u16 += static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10));
        u16 += static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF));
      } else {
        u16 += static_cast<char16_t>(cp);
      }
    }
    const std::string utf8 = Utf8Of(u32);
    nlohmann::ordered_json object;
    object["repo"] = utf8;
    object["ref"] = "";
    object["setup"] = utf8;
    ASSERT_EQ(ConfigJson({u16, u"", u16}), object.dump()) << "round " << round;
  }
}

}  // namespace
}  // namespace home
