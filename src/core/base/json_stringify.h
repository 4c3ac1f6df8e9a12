// JSON string literals exactly as ECMAScript's JSON.stringify writes them (ES2019 "well-formed
// JSON.stringify"), from UTF-16 input, so that hashes of JSON text match the seed byte for byte.
#pragma once

#include <string>

namespace home {

// Appends `"…"` for `value` (UTF-16 code units) to `out` as UTF-8: `"` `\` and the short escapes
// \b \f \n \r \t, other code units below U+0020 as lowercase \u00xx, lone surrogates as
// lowercase \udxxx, everything else (U+2028 and U+2029 included) as raw UTF-8.
void AppendJsonString(std::string& out, const std::u16string& value);

}  // namespace home
