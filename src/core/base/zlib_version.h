// Whether the zlib in this process is one this binary can use. Like OpenSSL (openssl_version.h),
// the addon links no zlib of its own: libgit2 and the pack scanner are compiled against zlib's
// headers and bind zlib's functions from the process when the addon loads (the node binary, which
// exports the zlib it carries, or the libz a distribution's node links). Node's own is Chromium's,
// whose inflate is the one Chrome runs on every page it loads, and measures about twice as fast
// as zlib 1.2.13's on a pack's objects.
#pragma once

#include <string>
#include <string_view>

#include "core/base/error.h"

namespace home {

// Empty when code compiled against zlib headers whose ZLIB_VERSION is `built` can run on the zlib
// whose zlibVersion() is `running`; otherwise why not. zlib's own rule (inflateInit_ refuses
// anything else) is the same first digit; within it we also want a minor no older than the
// headers', since a function of theirs may be missing from an older one.
std::string ZlibMismatch(std::string_view built, std::string_view running);

// ZlibMismatch of this binary's headers and the process's zlib, then one inflateInit of this
// binary's z_stream, which zlib refuses when its idea of the structure differs (Z_VERSION_ERROR):
// either as ERR_NATIVE_LOAD, both versions spelled out.
Error CheckProcessZlib();

}  // namespace home
