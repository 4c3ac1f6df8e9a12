// Argument conversion shared by the home operations: NativeHomeOptions and file contents, copied
// out of JavaScript values into plain C++ on the JS thread. Throws ERR_INVALID_ARG_TYPE.
#pragma once

#include <napi.h>

#include <string>

#include "core/fs/home_root.h"

namespace home::addon {

// { containerHome?: string, uid?: number, gid?: number, forceManualWalk?: boolean }
HomeOptions HomeOptionsFrom(Napi::Env env, Napi::Value value, const char* what);

// A JavaScript string as UTF-8 (embedded NUL bytes kept). The caller checked IsString().
std::string Utf8Of(Napi::Env env, Napi::Value value);

// A string (as UTF-8) or a Uint8Array (its bytes).
std::string BytesFrom(Napi::Env env, Napi::Value value, const std::string& what);
// The same without building an error message up front (a batch converts thousands): false when
// `value` is neither, for the caller to say so.
bool TryBytesFrom(Napi::Env env, Napi::Value value, std::string* out);

// A string argument, as UTF-8 (embedded NUL bytes kept, for the core to refuse).
std::string StringFrom(Napi::Env env, Napi::Value value, const std::string& what);

}  // namespace home::addon
