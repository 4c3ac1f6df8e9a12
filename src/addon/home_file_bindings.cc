// The home directory and the package's own small files in it, each a ThreadJob on a home-io
// thread over one core call:
//   makeHomeDirectory(homeDir)                            -> Promise<void>
//   createFileIfMissing(homeDir, name, content, options) -> Promise<boolean>   (created?)
//   readSmallFile(homeDir, relPath, maxBytes, options)   -> Promise<string | null>
//   writeFileDurable(homeDir, relPath, content, options) -> Promise<void>
//   sweepDebris(homeDir, stagingDir, overlayPaths, options) -> Promise<number> (temp files removed)
// and, synchronous: setIoConcurrency(limit) (the home-io threads' limit), hasOpenat2() -> boolean
// (a cached probe).
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "addon/bindings.h"
#include "addon/home_args.h"
#include "addon/js_error.h"
#include "addon/thread_job.h"
#include "core/debris_sweep.h"
#include "core/home_file.h"
#include "core/task_threads.h"

namespace home::addon {
namespace {

// readSmallFile allocates maxBytes + 1 up front; it is meant for markers, not for documents.
constexpr double kMaxReadBytes = 64.0 * 1024 * 1024;

class MakeHomeDirectoryWorker : public ThreadJob {
 public:
  MakeHomeDirectoryWorker(Napi::Env env, std::string home_dir) : ThreadJob(env), home_dir_(std::move(home_dir)) {}

 protected:
  Error Run() override { return MakeHomeDirectory(home_dir_); }
  Napi::Value Resolve(Napi::Env env) override { return env.Undefined(); }

 private:
  std::string home_dir_;
};

class CreateFileIfMissingWorker : public ThreadJob {
 public:
  CreateFileIfMissingWorker(Napi::Env env, std::string home_dir, std::string path, std::string content,
                            HomeOptions options)
      : ThreadJob(env),
        home_dir_(std::move(home_dir)),
        path_(std::move(path)),
        content_(std::move(content)),
        options_(std::move(options)) {}

 protected:
  Error Run() override { return CreateFileIfMissing(home_dir_, path_, content_, options_, &created_); }
  Napi::Value Resolve(Napi::Env env) override { return Napi::Boolean::New(env, created_); }

 private:
  std::string home_dir_, path_, content_;
  HomeOptions options_;
  bool created_ = false;
};

class ReadSmallFileWorker : public ThreadJob {
 public:
  ReadSmallFileWorker(Napi::Env env, std::string home_dir, std::string path, size_t max_bytes, HomeOptions options)
      : ThreadJob(env),
        home_dir_(std::move(home_dir)),
        path_(std::move(path)),
        max_bytes_(max_bytes),
        options_(std::move(options)) {}

 protected:
  Error Run() override { return ReadSmallFile(home_dir_, path_, max_bytes_, options_, &content_); }
  Napi::Value Resolve(Napi::Env env) override {
    if (!content_) return env.Null();
    return Napi::String::New(env, *content_);
  }

 private:
  std::string home_dir_, path_;
  size_t max_bytes_;
  HomeOptions options_;
  std::optional<std::string> content_;
};

class WriteFileDurableWorker : public ThreadJob {
 public:
  WriteFileDurableWorker(Napi::Env env, std::string home_dir, std::string path, std::string content,
                         HomeOptions options)
      : ThreadJob(env),
        home_dir_(std::move(home_dir)),
        path_(std::move(path)),
        content_(std::move(content)),
        options_(std::move(options)) {}

 protected:
  Error Run() override { return WriteFileDurable(home_dir_, path_, content_, options_); }
  Napi::Value Resolve(Napi::Env env) override { return env.Undefined(); }

 private:
  std::string home_dir_, path_, content_;
  HomeOptions options_;
};

class SweepDebrisWorker : public ThreadJob {
 public:
  SweepDebrisWorker(Napi::Env env, std::string home_dir, std::string staging_dir, std::vector<std::string> paths,
                    HomeOptions options)
      : ThreadJob(env),
        home_dir_(std::move(home_dir)),
        staging_dir_(std::move(staging_dir)),
        paths_(std::move(paths)),
        options_(std::move(options)) {}

 protected:
  Error Run() override { return SweepDebris(home_dir_, staging_dir_, paths_, options_, &result_); }
  Napi::Value Resolve(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(result_.temp_files)); }

 private:
  std::string home_dir_, staging_dir_;
  std::vector<std::string> paths_;
  HomeOptions options_;
  SweepResult result_;
};

void RequireArgs(const Napi::CallbackInfo& info, size_t count, const char* signature) {
  if (info.Length() < count) ThrowArgError(info.Env(), signature);
}

Napi::Value MakeHomeDirectoryJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 1, "makeHomeDirectory(homeDir: string)");
  auto worker = std::make_unique<MakeHomeDirectoryWorker>(env, StringFrom(env, info[0], "makeHomeDirectory: homeDir"));
  return ThreadJob::Start(env, std::move(worker), "home_native.make_home_directory", OnHomeIoThread);
}

Napi::Value CreateFileIfMissingJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "createFileIfMissing(homeDir: string, name: string, content: string, options)");
  auto worker = std::make_unique<CreateFileIfMissingWorker>(
      env, StringFrom(env, info[0], "createFileIfMissing: homeDir"),
      StringFrom(env, info[1], "createFileIfMissing: name"), BytesFrom(env, info[2], "createFileIfMissing: content"),
      HomeOptionsFrom(env, info[3], "createFileIfMissing"));
  return ThreadJob::Start(env, std::move(worker), "home_native.create_file_if_missing", OnHomeIoThread);
}

Napi::Value ReadSmallFileJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "readSmallFile(homeDir: string, relPath: string, maxBytes: number, options)");
  double max_bytes = info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : -1;
  if (!(max_bytes >= 0 && max_bytes <= kMaxReadBytes) || std::floor(max_bytes) != max_bytes) {
    ThrowArgError(env, "readSmallFile: maxBytes must be an integer from 0 to 64 MiB");
  }
  auto worker = std::make_unique<ReadSmallFileWorker>(
      env, StringFrom(env, info[0], "readSmallFile: homeDir"), StringFrom(env, info[1], "readSmallFile: relPath"),
      static_cast<size_t>(max_bytes), HomeOptionsFrom(env, info[3], "readSmallFile"));
  return ThreadJob::Start(env, std::move(worker), "home_native.read_small_file", OnHomeIoThread);
}

Napi::Value WriteFileDurableJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "writeFileDurable(homeDir: string, relPath: string, content: string, options)");
  auto worker = std::make_unique<WriteFileDurableWorker>(
      env, StringFrom(env, info[0], "writeFileDurable: homeDir"), StringFrom(env, info[1], "writeFileDurable: relPath"),
      BytesFrom(env, info[2], "writeFileDurable: content"), HomeOptionsFrom(env, info[3], "writeFileDurable"));
  return ThreadJob::Start(env, std::move(worker), "home_native.write_file_durable", OnHomeIoThread);
}

Napi::Value SweepDebrisJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "sweepDebris(homeDir: string, stagingDir: string, overlayPaths: string[], options)");
  if (!info[2].IsArray()) ThrowArgError(env, "sweepDebris: overlayPaths must be an array of strings");
  Napi::Array list = info[2].As<Napi::Array>();
  std::vector<std::string> paths;
  paths.reserve(list.Length());
  for (uint32_t i = 0; i < list.Length(); ++i) paths.push_back(StringFrom(env, list.Get(i), "sweepDebris: overlayPaths[]"));
  auto worker = std::make_unique<SweepDebrisWorker>(env, StringFrom(env, info[0], "sweepDebris: homeDir"),
                                                    StringFrom(env, info[1], "sweepDebris: stagingDir"), std::move(paths),
                                                    HomeOptionsFrom(env, info[3], "sweepDebris"));
  return ThreadJob::Start(env, std::move(worker), "home_native.sweep_debris", OnHomeIoThread);
}

Napi::Value SetIoConcurrencyJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber() || info[0].As<Napi::Number>().DoubleValue() < 1) {
    ThrowArgError(env, "setIoConcurrency(limit: positive integer)");
  }
  TaskThreads::HomeIo().SetLimit(static_cast<size_t>(info[0].As<Napi::Number>().Int64Value()));
  return env.Undefined();
}

Napi::Value HasOpenat2Js(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), HasOpenat2()); }

}  // namespace

void InitHomeFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("makeHomeDirectory", Napi::Function::New<MakeHomeDirectoryJs>(env, "makeHomeDirectory"));
  exports.Set("createFileIfMissing", Napi::Function::New<CreateFileIfMissingJs>(env, "createFileIfMissing"));
  exports.Set("readSmallFile", Napi::Function::New<ReadSmallFileJs>(env, "readSmallFile"));
  exports.Set("writeFileDurable", Napi::Function::New<WriteFileDurableJs>(env, "writeFileDurable"));
  exports.Set("sweepDebris", Napi::Function::New<SweepDebrisJs>(env, "sweepDebris"));
  exports.Set("setIoConcurrency", Napi::Function::New<SetIoConcurrencyJs>(env, "setIoConcurrency"));
  exports.Set("hasOpenat2", Napi::Function::New<HasOpenat2Js>(env, "hasOpenat2"));
}

}  // namespace home::addon
