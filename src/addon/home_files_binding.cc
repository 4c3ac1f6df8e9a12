// The home directory and the package's own small files in it, each a CallJob (one core call on
// a home-io thread):
//   makeHomeDirectory(homeDir)                            -> Promise<void>
//   createFileIfMissing(homeDir, name, content, options) -> Promise<boolean>   (created?)
//   readSmallFile(homeDir, relPath, maxBytes, options)   -> Promise<string | null>
//   writeFileDurable(homeDir, relPath, content, options) -> Promise<void>
//   sweepDebris(homeDir, stagingDir, overlayPaths, options) -> Promise<number> (temp files removed)
// and hasOpenat2() -> boolean, synchronous (a cached probe).
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "addon/bindings.h"
#include "addon/call_job.h"
#include "addon/js_args.h"
#include "addon/js_error.h"
#include "core/home/debris_sweep.h"
#include "core/home/home_file.h"

namespace home::addon {
namespace {

// readSmallFile allocates maxBytes + 1 up front; it is meant for markers, not for documents.
constexpr uint64_t kMaxReadBytes = 64 * 1024 * 1024;

Napi::Value MakeHomeDirectoryJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 1, "makeHomeDirectory(homeDir: string)");
  return CallJob<NoResult>::Start(
      env, "home_native.make_home_directory",
      [home_dir = StringFrom(env, info[0], "makeHomeDirectory: homeDir")](NoResult*) { return MakeHomeDirectory(home_dir); },
      Undefined);
}

Napi::Value CreateFileIfMissingJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "createFileIfMissing(homeDir: string, name: string, content: string, options)");
  return CallJob<bool>::Start(
      env, "home_native.create_file_if_missing",
      [home_dir = StringFrom(env, info[0], "createFileIfMissing: homeDir"),
       path = StringFrom(env, info[1], "createFileIfMissing: name"),
       content = BytesFrom(env, info[2], "createFileIfMissing: content"),
       options = HomeOptionsFrom(env, info[3], "createFileIfMissing")](bool* created) {
        return CreateFileIfMissing(home_dir, path, content, options, created);
      },
      [](Napi::Env env, bool& created) -> Napi::Value { return Napi::Boolean::New(env, created); });
}

Napi::Value ReadSmallFileJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "readSmallFile(homeDir: string, relPath: string, maxBytes: number, options)");
  return CallJob<std::optional<std::string>>::Start(
      env, "home_native.read_small_file",
      [home_dir = StringFrom(env, info[0], "readSmallFile: homeDir"),
       path = StringFrom(env, info[1], "readSmallFile: relPath"), max = static_cast<size_t>(CountFrom(env, info[2], "readSmallFile: maxBytes", kMaxReadBytes)),
       options = HomeOptionsFrom(env, info[3], "readSmallFile")](std::optional<std::string>* content) {
        return ReadSmallFile(home_dir, path, max, options, content);
      },
      [](Napi::Env env, std::optional<std::string>& content) -> Napi::Value {
        return content ? Napi::String::New(env, *content) : env.Null();
      });
}

Napi::Value WriteFileDurableJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "writeFileDurable(homeDir: string, relPath: string, content: string, options)");
  return CallJob<NoResult>::Start(
      env, "home_native.write_file_durable",
      [home_dir = StringFrom(env, info[0], "writeFileDurable: homeDir"),
       path = StringFrom(env, info[1], "writeFileDurable: relPath"),
       content = BytesFrom(env, info[2], "writeFileDurable: content"),
       options = HomeOptionsFrom(env, info[3], "writeFileDurable")](NoResult*) {
        return WriteFileDurable(home_dir, path, content, options);
      },
      Undefined);
}

Napi::Value SweepDebrisJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "sweepDebris(homeDir: string, stagingDir: string, overlayPaths: string[], options)");
  return CallJob<SweepResult>::Start(
      env, "home_native.sweep_debris",
      [home_dir = StringFrom(env, info[0], "sweepDebris: homeDir"),
       staging_dir = StringFrom(env, info[1], "sweepDebris: stagingDir"),
       paths = StringsFrom(env, info[2], "sweepDebris: overlayPaths"),
       options = HomeOptionsFrom(env, info[3], "sweepDebris")](SweepResult* result) {
        return SweepDebris(home_dir, staging_dir, paths, options, result);
      },
      [](Napi::Env env, SweepResult& result) -> Napi::Value {
        return Napi::Number::New(env, static_cast<double>(result.temp_files));
      });
}

Napi::Value HasOpenat2Js(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), HasOpenat2()); }

}  // namespace

void InitHomeFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("makeHomeDirectory", Napi::Function::New<MakeHomeDirectoryJs>(env, "makeHomeDirectory"));
  exports.Set("createFileIfMissing", Napi::Function::New<CreateFileIfMissingJs>(env, "createFileIfMissing"));
  exports.Set("readSmallFile", Napi::Function::New<ReadSmallFileJs>(env, "readSmallFile"));
  exports.Set("writeFileDurable", Napi::Function::New<WriteFileDurableJs>(env, "writeFileDurable"));
  exports.Set("sweepDebris", Napi::Function::New<SweepDebrisJs>(env, "sweepDebris"));
  exports.Set("hasOpenat2", Napi::Function::New<HasOpenat2Js>(env, "hasOpenat2"));
}

}  // namespace home::addon
