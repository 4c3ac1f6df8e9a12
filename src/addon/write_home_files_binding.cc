// writeHomeFiles(homeDir, files: { path, content: string | Uint8Array, isExecutable: boolean }[],
//                options: NativeHomeOptions, cancel: CancelToken | undefined)
//   -> Promise<{ written, unchanged }>
// The files are the caller's own objects (the seed's shape), read and checked here in one pass:
// a batch of 1,000 costs no intermediate array in JavaScript.
// One worker for the whole batch: the entry point copies every file into plain C++, Run() hands
// them to the core's overlay writer on a home-io thread, and the outcome becomes the promise's value
// or one error (with `failures` when files were named).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "addon/bindings.h"
#include "addon/cancel_token.h"
#include "addon/js_args.h"
#include "addon/js_error.h"
#include "addon/thread_job.h"
#include "core/home/overlay_writer.h"

namespace home::addon {
namespace {

class WriteHomeFilesJob : public ThreadJob {
 public:
  WriteHomeFilesJob(Napi::Env env, std::string home_dir, std::vector<OverlayFile> files, HomeOptions options,
                       CancelFlag cancel)
      : ThreadJob(env),
        home_dir_(std::move(home_dir)),
        files_(std::move(files)),
        options_(std::move(options)),
        cancel_(std::move(cancel)) {}

 protected:
  Error Run() override {
    Error e = WriteOverlay(home_dir_, files_, options_, cancel_, &result_);
    std::vector<OverlayFile>().swap(files_);  // the contents are not needed any more
    return e;
  }

  Napi::Value Resolve(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("written", Napi::Number::New(env, static_cast<double>(result_.written)));
    out.Set("unchanged", Napi::Number::New(env, static_cast<double>(result_.unchanged)));
    return out;
  }

  Napi::Value Reject(Napi::Env env, const Error& error) override {
    if (result_.failures.empty()) return ToJsError(env, error).Value();
    return ToJsBatchError(env, error.code, error.message, result_.failures).Value();
  }

 private:
  std::string home_dir_;
  std::vector<OverlayFile> files_;
  HomeOptions options_;
  CancelFlag cancel_;
  OverlayResult result_;
};

Napi::Value WriteHomeFilesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 3, "writeHomeFiles(homeDir: string, files: NativeOverlayFile[], options, cancel?)");
  if (!info[1].IsArray()) ThrowArgError(env, "writeHomeFiles: files must be an array");
  std::string home_dir = StringFrom(env, info[0], "writeHomeFiles: homeDir");
  Napi::Array list = info[1].As<Napi::Array>();
  // Keys made once per call: Get(const char*) would internalize the name again for every file.
  const Napi::String path_key = Napi::String::New(env, "path");
  const Napi::String content_key = Napi::String::New(env, "content");
  const Napi::String executable_key = Napi::String::New(env, "isExecutable");
  const uint32_t count = list.Length();
  std::vector<OverlayFile> files;
  files.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const auto what = [i] { return "writeHomeFiles: files[" + std::to_string(i) + "]"; };
    Napi::Value item = list.Get(i);
    if (!item.IsObject()) ThrowArgError(env, what() + " must be an object");
    Napi::Object object = item.As<Napi::Object>();
    // Checked inline rather than with the *From readers: `what` is built only on failure, and a
    // batch holds thousands of files.
    OverlayFile file;
    Napi::Value path = object.Get(path_key);
    if (!path.IsString()) ThrowArgError(env, what() + ".path must be a string");
    file.path = Utf8Of(env, path);
    if (!TryBytesFrom(env, object.Get(content_key), &file.bytes)) {
      ThrowArgError(env, what() + ".content must be a string or a Uint8Array");
    }
    Napi::Value executable = object.Get(executable_key);
    if (!executable.IsBoolean()) ThrowArgError(env, what() + ".isExecutable must be a boolean");
    file.executable = executable.As<Napi::Boolean>().Value();
    files.push_back(std::move(file));
  }
  HomeOptions options = HomeOptionsFrom(env, info[2], "writeHomeFiles");
  CancelFlag cancel = CancelToken::FlagOf(env, info.Length() > 3 ? info[3] : env.Undefined());

  auto worker = std::make_unique<WriteHomeFilesJob>(env, std::move(home_dir), std::move(files), std::move(options),
                                                       std::move(cancel));
  return ThreadJob::Start(env, std::move(worker), "home_native.write_files", OnHomeIoThread);
}

}  // namespace

void InitWriteHomeFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("writeHomeFiles", Napi::Function::New<WriteHomeFilesJs>(env, "writeHomeFiles"));
}

}  // namespace home::addon
