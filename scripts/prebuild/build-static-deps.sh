#!/usr/bin/env bash
# Builds libgit2 and the libraries it uses (mbedTLS, http-parser, zlib) as position-independent
# static archives, from the sources fetch-sources.sh unpacked, into deps/build/<platform>-<arch>/.
# Distributions' own static archives cannot go into a shared object: they are compiled for
# executables (-fPIE at best), and the prebuilt addon must carry them inside.
# Prints the install prefix on stdout; reuses it when this script and the sources are unchanged.
#
# Choices, each to keep the prebuild's run-time needs to libc and the C++ runtime:
#   TLS        mbedTLS 2.28, static. Its trust store is loaded at run time by the addon
#              (src/core/trust_store.cc), not from a path of the build machine (no CERT_LOCATION).
#   SSH        USE_SSH=exec: the ssh binary, when a user allows ssh at all; no libssh2.
#   HTTP       http-parser (Debian's libgit2 is "+ds": its bundled llhttp is removed).
#   regex      the C library's regcomp; no pcre2.
#   zlib       built here; libgit2's bundled copy is removed in "+ds" too.
#   GSSAPI, NTLM, iconv: off (no Kerberos or NTLM proxies for dotfiles clones).
#   CERT_LOCATION left to libgit2's detection (`openssl version -d` of the build machine): only a
#              fallback it loads if the file exists where the binary runs; the addon sets the
#              store it finds at start-up (trust_store.cc) over it.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
jobs=${HOME_NATIVE_JOBS:-2}

platform=$(node -p 'process.platform + "-" + process.arch')
out=$root/deps/build/$platform
prefix=$out/prefix
bash scripts/prebuild/fetch-sources.sh >&2
sha256() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1; }
# The cache is valid for this script and these sources: the unpacked trees' names carry the
# upstream versions, the .dsc files' names Debian's revisions (security patches).
stamp_want=$( { cat "$0"; ls -d deps/src/*/ deps/src/*.dsc 2>/dev/null; } | sha256)
if [[ -f $prefix/.stamp && "$(cat "$prefix/.stamp")" == "$stamp_want" ]]; then
  echo "$prefix"
  exit 0
fi

source_of() {
  local dirs=(deps/src/"$1"-[0-9]*/)
  [[ -d ${dirs[0]} ]] || { echo "build-static-deps: no unpacked source for $1 in deps/src/" >&2; exit 1; }
  echo "$root/${dirs[0]%/}"
}
log() { echo "build-static-deps: $*" >&2; }

rm -rf "$out"
mkdir -p "$out" "$prefix/include" "$prefix/lib"
export CFLAGS="-O2 -fPIC -fvisibility=hidden"
cmake_common=(-DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON
              -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DBUILD_SHARED_LIBS=OFF)
# Quiet on success, the whole log on failure.
quiet() {
  local logfile=$out/$1.log
  shift
  "$@" >"$logfile" 2>&1 || { cat "$logfile" >&2; log "failed: $*"; exit 1; }
}

log "zlib"
zlib_src=$(source_of zlib)
rm -rf "$out/zlib" && cp -a "$zlib_src" "$out/zlib"
(cd "$out/zlib" && quiet zlib ./configure --static --prefix="$prefix" && quiet zlib-make make -j"$jobs" libz.a &&
  quiet zlib-install make install)

log "http-parser"
hp_src=$(source_of http-parser)
# One C file: compiled directly rather than through its Makefile, which builds a shared library.
cc $CFLAGS -c "$hp_src/http_parser.c" -o "$out/http_parser.o"
ar rcs "$prefix/lib/libhttp_parser.a" "$out/http_parser.o"
cp "$hp_src/http_parser.h" "$prefix/include/"

log "mbedTLS"
mbed_src=$(source_of mbedtls)
rm -rf "$out/mbedtls" && cp -a "$mbed_src" "$out/mbedtls"
# What Debian's build enables too (debian/rules): libgit2 shares one TLS configuration and
# random generator between threads, which needs mbedTLS's locking.
(cd "$out/mbedtls" && python3 scripts/config.py set MBEDTLS_THREADING_C &&
  python3 scripts/config.py set MBEDTLS_THREADING_PTHREAD)
quiet mbedtls-configure cmake -S "$out/mbedtls" -B "$out/mbedtls-build" "${cmake_common[@]}" \
  -DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF -DGEN_FILES=OFF \
  -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=OFF
quiet mbedtls-build cmake --build "$out/mbedtls-build" -j "$jobs"
quiet mbedtls-install cmake --install "$out/mbedtls-build"

log "libgit2"
git2_src=$(source_of libgit2)
lib=$prefix/lib
quiet libgit2-configure cmake -S "$git2_src" -B "$out/libgit2-build" "${cmake_common[@]}" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DBUILD_TESTS=OFF -DBUILD_CLI=OFF -DBUILD_EXAMPLES=OFF -DBUILD_FUZZERS=OFF \
  -DUSE_HTTPS=mbedTLS -DUSE_SHA1=CollisionDetection -DUSE_SHA256=HTTPS \
  -DMBEDTLS_INCLUDE_DIR="$prefix/include" -DMBEDTLS_LIBRARY="$lib/libmbedtls.a" \
  -DMBEDX509_LIBRARY="$lib/libmbedx509.a" -DMBEDCRYPTO_LIBRARY="$lib/libmbedcrypto.a" \
  -DUSE_HTTP_PARSER=http-parser -DHTTP_PARSER_INCLUDE_DIR="$prefix/include" \
  -DHTTP_PARSER_LIBRARY="$lib/libhttp_parser.a" \
  -DUSE_BUNDLED_ZLIB=OFF -DZLIB_INCLUDE_DIR="$prefix/include" -DZLIB_LIBRARY="$lib/libz.a" \
  -DUSE_SSH=exec -DREGEX_BACKEND=regcomp -DUSE_GSSAPI=OFF -DUSE_NTLMCLIENT=OFF -DUSE_ICONV=OFF
quiet libgit2-build cmake --build "$out/libgit2-build" -j "$jobs"
quiet libgit2-install cmake --install "$out/libgit2-build"

echo "$stamp_want" >"$prefix/.stamp"
log "done: $prefix"
echo "$prefix"
