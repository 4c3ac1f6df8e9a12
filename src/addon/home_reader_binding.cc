// Read-only looks below the home that follow no symlink (src/core/fs/home_reader.h), each a
// CallJob (one core call on a home-io thread):
//   inspectHomePath(homeDir, relPath, options)                -> Promise<NativeHomeEntry>
//   readHomeFile(homeDir, relPath, maxBytes, options)         -> Promise<NativeHomeEntry & { text? }>
//   listHomeDirectory(homeDir, relPath, maxEntries, options)  -> Promise<NativeHomeListing>
// An entry is { kind, size? (file), target? (symlink), blockedAt?, blockedBy? (blocked) }.
#include <optional>
#include <string>
#include <utility>

#include "addon/bindings.h"
#include "addon/call_job.h"
#include "addon/js_args.h"
#include "addon/js_error.h"
#include "core/fs/home_reader.h"

namespace home::addon {
namespace {

// readHomeFile allocates maxBytes + 1 up front, as readSmallFile does: for small files only.
constexpr uint64_t kMaxReadBytes = 64 * 1024 * 1024;

void SetEntry(Napi::Env env, Napi::Object object, const EntryInfo& entry) {
  object.Set("kind", Napi::String::New(env, EntryKindName(entry.kind)));
  if (entry.kind == EntryKind::kFile) object.Set("size", Napi::Number::New(env, static_cast<double>(entry.size)));
  if (entry.kind == EntryKind::kSymlink) object.Set("target", Napi::String::New(env, entry.target));
  if (entry.kind == EntryKind::kBlocked) {
    object.Set("blockedAt", Napi::String::New(env, entry.blocked_at));
    object.Set("blockedBy", Napi::String::New(env, entry.blocked_by_symlink ? "symlink" : "not-directory"));
  }
}

Napi::Value InspectHomePathJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 3, "inspectHomePath(homeDir: string, relPath: string, options)");
  return CallJob<EntryInfo>::Start(
      env, "home_native.inspect_home_path",
      [home_dir = StringFrom(env, info[0], "inspectHomePath: homeDir"),
       path = StringFrom(env, info[1], "inspectHomePath: relPath"),
       options = HomeOptionsFrom(env, info[2], "inspectHomePath")](EntryInfo* entry) {
        return InspectHomePath(home_dir, path, options, entry);
      },
      [](Napi::Env env, EntryInfo& entry) -> Napi::Value {
        Napi::Object object = Napi::Object::New(env);
        SetEntry(env, object, entry);
        return object;
      });
}

Napi::Value ReadHomeFileJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "readHomeFile(homeDir: string, relPath: string, maxBytes: number, options)");
  const size_t max_bytes = static_cast<size_t>(CountFrom(env, info[2], "readHomeFile: maxBytes", kMaxReadBytes));
  return CallJob<HomeFileRead>::Start(
      env, "home_native.read_home_file",
      [home_dir = StringFrom(env, info[0], "readHomeFile: homeDir"),
       path = StringFrom(env, info[1], "readHomeFile: relPath"), max_bytes,
       options = HomeOptionsFrom(env, info[3], "readHomeFile")](HomeFileRead* read) {
        return ReadHomeFile(home_dir, path, max_bytes, options, read);
      },
      [](Napi::Env env, HomeFileRead& read) -> Napi::Value {
        Napi::Object object = Napi::Object::New(env);
        SetEntry(env, object, read.entry);
        if (read.content) object.Set("text", Napi::String::New(env, *read.content));
        return object;
      });
}

Napi::Value ListHomeDirectoryJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 4, "listHomeDirectory(homeDir: string, relPath: string, maxEntries: number, options)");
  const size_t max_entries = static_cast<size_t>(CountFrom(env, info[2], "listHomeDirectory: maxEntries"));
  return CallJob<DirListing>::Start(
      env, "home_native.list_home_directory",
      [home_dir = StringFrom(env, info[0], "listHomeDirectory: homeDir"),
       path = StringFrom(env, info[1], "listHomeDirectory: relPath"), max_entries,
       options = HomeOptionsFrom(env, info[3], "listHomeDirectory")](DirListing* listing) {
        return ListHomeDirectory(home_dir, path, max_entries, options, listing);
      },
      [](Napi::Env env, DirListing& listing) -> Napi::Value {
        Napi::Object object = Napi::Object::New(env);
        SetEntry(env, object, listing.entry);
        Napi::Array entries = Napi::Array::New(env, listing.entries.size());
        for (uint32_t i = 0; i < listing.entries.size(); ++i) {
          const DirEntry& entry = listing.entries[i];
          Napi::Object item = Napi::Object::New(env);
          item.Set("name", Napi::String::New(env, entry.name));
          item.Set("kind", Napi::String::New(env, EntryKindName(entry.kind)));
          if (entry.kind == EntryKind::kSymlink) item.Set("target", Napi::String::New(env, entry.target));
          entries.Set(i, item);
        }
        object.Set("entries", entries);
        object.Set("capped", Napi::Boolean::New(env, listing.capped));
        return object;
      });
}

}  // namespace

void InitHomeReader(Napi::Env env, Napi::Object exports) {
  exports.Set("inspectHomePath", Napi::Function::New<InspectHomePathJs>(env, "inspectHomePath"));
  exports.Set("readHomeFile", Napi::Function::New<ReadHomeFileJs>(env, "readHomeFile"));
  exports.Set("listHomeDirectory", Napi::Function::New<ListHomeDirectoryJs>(env, "listHomeDirectory"));
}

}  // namespace home::addon
