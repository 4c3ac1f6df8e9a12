// Turns core errors into JavaScript Errors that carry a stable `code`, the path concerned, and
// the OS error (`errno` as Node numbers it, `osCode` as its name, `syscall`) where one caused it.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "core/base/error.h"

namespace home::addon {

Napi::Error ToJsError(Napi::Env env, const Error& error);

// One error for a batch: `code` and `message` for the whole, `failures` lists each failed item
// as { path, code, message, errno?, osCode?, syscall? }.
Napi::Error ToJsBatchError(Napi::Env env, const std::string& code, const std::string& message,
                           const std::vector<Error>& failures);

// Throws a TypeError with code ERR_INVALID_ARG_TYPE; for arguments the shim should never send.
[[noreturn]] void ThrowArgError(Napi::Env env, const std::string& message);

}  // namespace home::addon
