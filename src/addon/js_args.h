// The one way the addon reads JavaScript arguments: each value is copied out into plain C++ on
// the JS thread, before a job starts, and a value of the wrong type or out of range throws
// ERR_INVALID_ARG_TYPE naming it (`what`). The shim validated every argument already
// (lib/validate.ts), so these throw only on a bug in the shim or a direct call of the addon.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/fs/home_root.h"

namespace home::addon {

// Throws unless info holds at least `count` arguments; `usage` is the signature to show.
void RequireArgs(const Napi::CallbackInfo& info, size_t count, const char* usage);

// A JavaScript string as UTF-8 (embedded NUL bytes kept). The caller checked IsString().
std::string Utf8Of(Napi::Env env, Napi::Value value);

// A string, as UTF-8 (embedded NUL bytes kept, for the core to refuse).
std::string StringFrom(Napi::Env env, Napi::Value value, const std::string& what);
// The same, or empty when `value` is undefined.
std::string OptionalStringFrom(Napi::Env env, Napi::Value value, const std::string& what);
// A string as UTF-16, as JavaScript holds it (lone surrogates kept).
std::u16string Utf16From(Napi::Env env, Napi::Value value, const std::string& what);

// An integer from 0 to `max` (at most 2^53: what a double holds exactly).
uint64_t CountFrom(Napi::Env env, Napi::Value value, const std::string& what, uint64_t max = (uint64_t{1} << 53));

bool BooleanFrom(Napi::Env env, Napi::Value value, const std::string& what);

// An array of strings.
std::vector<std::string> StringsFrom(Napi::Env env, Napi::Value value, const std::string& what);

// An object, to read fields from.
Napi::Object ObjectFrom(Napi::Env env, Napi::Value value, const std::string& what);

// A function, or an empty value when `value` is undefined.
Napi::Function OptionalFunctionFrom(Napi::Env env, Napi::Value value, const std::string& what);

// A string (as UTF-8) or a Uint8Array (its bytes).
std::string BytesFrom(Napi::Env env, Napi::Value value, const std::string& what);
// The same without building an error message up front (a batch converts thousands): false when
// `value` is neither, for the caller to say so.
bool TryBytesFrom(Napi::Env env, Napi::Value value, std::string* out);

// { containerHome?: string, uid?: number, gid?: number, forceManualWalk?: boolean }
HomeOptions HomeOptionsFrom(Napi::Env env, Napi::Value value, const char* what);

}  // namespace home::addon
