// One Init function per binding file; module.cc calls each once.
#pragma once

#include <napi.h>

namespace home::addon {

void InitClone(Napi::Env env, Napi::Object exports);
void InitConfigHash(Napi::Env env, Napi::Object exports);
void InitHomeLock(Napi::Env env, Napi::Object exports);
void InitVersions(Napi::Env env, Napi::Object exports);
void InitWriteHomeFiles(Napi::Env env, Napi::Object exports);
void InitHomeFiles(Napi::Env env, Napi::Object exports);
void InitHomeReader(Napi::Env env, Napi::Object exports);
void InitLinkDotfiles(Napi::Env env, Napi::Object exports);
void InitThreadLimits(Napi::Env env, Napi::Object exports);

}  // namespace home::addon
