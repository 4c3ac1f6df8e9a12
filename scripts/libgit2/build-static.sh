#!/usr/bin/env bash
# Builds libgit2 and the libraries it carries inside (http-parser, zlib) as position-independent
# static archives, from the sources fetch-sources.sh unpacked, into deps/build/<platform>-<arch>/.
# Both the prebuild (npm run prebuildify) and the contributors' source build (npm run build) link
# the addon against it, and the C++ tests (CMake) link it too. Distributions' own static archives
# cannot go into a shared object: they are compiled for executables (-fPIE at best).
# Prints the install prefix on stdout; reuses it when this script, the sources and the OpenSSL
# headers are unchanged.
#
# Choices, each to keep the addon's run-time needs to libc, the C++ runtime and the Node process:
#   TLS        libgit2's OpenSSL backend, compiled against the headers of the OpenSSL that this
#              Node exports to addons (openssl-headers.mjs: <nodedir>/include/node/openssl), and
#              linked with nothing: the addon leaves every OpenSSL symbol undefined, bound at load
#              from the process (the node binary, or the libssl3 a distribution's node links).
#              HTTPS itself runs on the addon's own TLS stream over that OpenSSL
#              (src/core/git/tls_stream.cc); the trust store is found at run time, never a path of
#              the build machine.
#   SHA-256    OpenSSL's SHA256_* functions (deprecated in 3.0, kept by every 3.x). libgit2 1.9
#              hashes the shallow file with it. Its builtin one clashes with OpenSSL's headers,
#              and its EVP variant ("OpenSSL-FIPS") leaks a context per hash (ASan sees it).
#   SSH        USE_SSH=exec: the ssh binary, when a user allows ssh at all; no libssh2.
#   HTTP       http-parser (Debian's libgit2 is "+ds": its bundled llhttp is removed).
#   regex      the C library's regcomp; no pcre2.
#   zlib       its headers and a static archive built here (libgit2's bundled copy is removed in
#              "+ds" too): libgit2 is compiled against them, and the C++ tests' executables link
#              the archive. The addon links none: like OpenSSL, it binds zlib from the process
#              (scripts/libgit2-flags.js), Node's own (Chromium's, about twice as fast to inflate
#              a pack as 1.2.13) or the libz a distribution's node links; checked at load
#              (src/core/base/zlib_version.h).
#   GSSAPI, NTLM, iconv: off (no Kerberos or NTLM proxies for dotfiles clones).
#   patches    scripts/libgit2/patches/*.patch, applied in name order to a copy of Debian's
#              tree: the few changes this package needs of libgit2 that it has no option for,
#              each explained at its top (no-progress.patch: the capability git sends when
#              nobody reads the server's progress).
#
# The target architecture is this Node's unless HOME_NATIVE_ARCH names another (a cross build:
# then CC, AR and HOME_NATIVE_CMAKE_ARGS, e.g. a toolchain file, say how to compile for it).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
jobs=${HOME_NATIVE_JOBS:-2}

os=$(node -p 'process.platform')
arch=${HOME_NATIVE_ARCH:-$(node -p 'process.arch')}
out=$root/deps/build/$os-$arch
prefix=$out/prefix
cc=${CC:-cc}
ar=${AR:-ar}
read -r -a cmake_extra <<<"${HOME_NATIVE_CMAKE_ARGS:-}"
bash scripts/libgit2/fetch-sources.sh >&2
openssl_headers=$(node scripts/libgit2/openssl-headers.mjs)
openssl_version=$(grep -rhE '^# *define OPENSSL_VERSION_TEXT' "$openssl_headers" | sort -u | head -n1 | sed -E 's/.*"(.*)".*/\1/')
[[ -n $openssl_version ]] || { echo "build-static: no OPENSSL_VERSION_TEXT under $openssl_headers" >&2; exit 1; }
sha256() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1; }
# The cache is valid for this script, these sources and these OpenSSL headers: the unpacked
# trees' names carry the upstream versions, the .dsc files' names Debian's revisions (security
# patches), the headers their version and where they are.
stamp_want=$( { cat "$0" scripts/libgit2/patches/*.patch; ls -d deps/src/*/ deps/src/*.dsc 2>/dev/null; echo "$openssl_headers $openssl_version";
  echo "$cc $ar ${cmake_extra[*]:-}"; } | sha256)
if [[ -f $prefix/.stamp && "$(cat "$prefix/.stamp")" == "$stamp_want" ]]; then
  echo "$prefix"
  exit 0
fi

source_of() {
  local dirs=(deps/src/"$1"-[0-9]*/)
  [[ -d ${dirs[0]} ]] || { echo "build-static: no unpacked source for $1 in deps/src/" >&2; exit 1; }
  echo "$root/${dirs[0]%/}"
}
log() { echo "build-static: $*" >&2; }

rm -rf "$out"
mkdir -p "$out" "$prefix/include" "$prefix/lib"
export CFLAGS="-O2 -fPIC -fvisibility=hidden"
cmake_common=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_C_COMPILER="$cc"
              -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF
              "${cmake_extra[@]}")
# Quiet on success, the whole log on failure.
quiet() {
  local logfile=$out/$1.log
  shift
  "$@" >"$logfile" 2>&1 || { cat "$logfile" >&2; log "failed: $*"; exit 1; }
}

log "zlib"
zlib_src=$(source_of zlib)
rm -rf "$out/zlib" && cp -a "$zlib_src" "$out/zlib"
(cd "$out/zlib" && CC=$cc AR=$ar quiet zlib ./configure --static --prefix="$prefix" &&
  quiet zlib-make make -j"$jobs" libz.a && quiet zlib-install make install)

log "http-parser"
hp_src=$(source_of http-parser)
# One C file: compiled directly rather than through its Makefile, which builds a shared library.
"$cc" $CFLAGS -c "$hp_src/http_parser.c" -o "$out/http_parser.o"
"$ar" rcs "$prefix/lib/libhttp_parser.a" "$out/http_parser.o"
cp "$hp_src/http_parser.h" "$prefix/include/"

log "libgit2 (OpenSSL: $openssl_version, $openssl_headers)"
git2_src=$out/libgit2-src
rm -rf "$git2_src" && cp -a "$(source_of libgit2)" "$git2_src"
for p in scripts/libgit2/patches/*.patch; do
  (cd "$git2_src" && quiet "libgit2-patch-$(basename "$p" .patch)" patch -p1 --forward --input "$root/$p")
done
lib=$prefix/lib
# An include directory with nothing but `openssl/`: Node's include/node also holds its own zlib.h,
# which must not stand in for the zlib built above.
mkdir -p "$out/openssl-include"
ln -sfn "$openssl_headers" "$out/openssl-include/openssl"
# CMake's FindOpenSSL insists on library paths before it reports OpenSSL found. A static libgit2
# links nothing, and the addon binds OpenSSL from the process, so these name no file: they only
# end up in the libgit2.pc that nothing here reads.
quiet libgit2-configure cmake -S "$git2_src" -B "$out/libgit2-build" "${cmake_common[@]}" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DBUILD_TESTS=OFF -DBUILD_CLI=OFF -DBUILD_EXAMPLES=OFF -DBUILD_FUZZERS=OFF \
  -DUSE_HTTPS=OpenSSL -DOPENSSL_INCLUDE_DIR="$out/openssl-include" \
  -DOPENSSL_SSL_LIBRARY="bound-from-the-node-process" -DOPENSSL_CRYPTO_LIBRARY="bound-from-the-node-process" \
  -DUSE_SHA1=CollisionDetection -DUSE_SHA256=OpenSSL \
  -DUSE_HTTP_PARSER=http-parser -DHTTP_PARSER_INCLUDE_DIR="$prefix/include" \
  -DHTTP_PARSER_LIBRARY="$lib/libhttp_parser.a" \
  -DUSE_BUNDLED_ZLIB=OFF -DZLIB_INCLUDE_DIR="$prefix/include" -DZLIB_LIBRARY="$lib/libz.a" \
  -DUSE_SSH=exec -DREGEX_BACKEND=regcomp -DUSE_GSSAPI=OFF -DUSE_NTLMCLIENT=OFF -DUSE_ICONV=OFF
quiet libgit2-build cmake --build "$out/libgit2-build" -j "$jobs"
quiet libgit2-install cmake --install "$out/libgit2-build"
echo "$stamp_want" >"$prefix/.stamp"
log "done: $prefix"
echo "$prefix"
