// The fallback install (src/core/home/dotfile_links.h), a CallJob (one core call on a home-io
// thread):
//   linkDotfiles(homeDir, checkoutDir, options)
//     -> Promise<{ linked: string[], unchanged: string[], inTheWay: string[], removed: string[] }>
// `checkoutDir` is relative to the home (".dotfiles"); each list is sorted by name.
#include <string>
#include <vector>

#include "addon/bindings.h"
#include "addon/call_job.h"
#include "addon/js_args.h"
#include "core/home/dotfile_links.h"

namespace home::addon {
namespace {

Napi::Array ArrayOf(Napi::Env env, const std::vector<std::string>& names) {
  Napi::Array array = Napi::Array::New(env, names.size());
  for (uint32_t i = 0; i < names.size(); ++i) array.Set(i, Napi::String::New(env, names[i]));
  return array;
}

Napi::Value LinkDotfilesJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireArgs(info, 3, "linkDotfiles(homeDir: string, checkoutDir: string, options)");
  return CallJob<DotfileLinks>::Start(
      env, "home_native.link_dotfiles",
      [home_dir = StringFrom(env, info[0], "linkDotfiles: homeDir"),
       checkout = StringFrom(env, info[1], "linkDotfiles: checkoutDir"),
       options = HomeOptionsFrom(env, info[2], "linkDotfiles")](DotfileLinks* links) {
        return LinkDotfiles(home_dir, checkout, options, links);
      },
      [](Napi::Env env, DotfileLinks& links) -> Napi::Value {
        Napi::Object object = Napi::Object::New(env);
        object.Set("linked", ArrayOf(env, links.linked));
        object.Set("unchanged", ArrayOf(env, links.unchanged));
        object.Set("inTheWay", ArrayOf(env, links.in_the_way));
        object.Set("removed", ArrayOf(env, links.removed));
        return object;
      });
}

}  // namespace

void InitLinkDotfiles(Napi::Env env, Napi::Object exports) {
  exports.Set("linkDotfiles", Napi::Function::New<LinkDotfilesJs>(env, "linkDotfiles"));
}

}  // namespace home::addon
