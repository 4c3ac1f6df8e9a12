#!/usr/bin/env bash
# Brings a fresh Debian 12 machine (or this checkout) to the point where the addon, the shim and
# the C++ tests build: Debian packages, npm dependencies, then the build itself, which makes the
# static libgit2 from Debian's source packages the first time (scripts/libgit2/). Idempotent and
# quiet when everything is already there; each step says what it does only when it does it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package -> why we need it.
packages=(
  g++            # the addon, libgit2 and its libraries, the C++ tests
  make           # node-gyp's generator, zlib's build
  cmake          # libgit2's build and the C++ test build
  python3        # node-gyp
  git            # test fixtures and the reference clone in the benchmarks
  openssl        # the HTTPS tests generate their CAs and certificates
  libssl-dev     # OpenSSL 3 for the C++ test executables (the addon binds Node's instead)
  libgtest-dev   # GoogleTest
  nlohmann-json3-dev
  ca-certificates # the system trust store that HTTPS clones (and its C++ test) look for
  dpkg-dev       # dpkg-source: the static libgit2 is built from Debian's source packages
                 # (their deb-src lines: scripts/libgit2/deb-src.sh, when first needed)
  patch          # this package's few changes to libgit2 (scripts/libgit2/patches/)
  clang          # the libFuzzer targets (scripts/fuzz.sh)
  libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes for clang
  llvm           # llvm-symbolizer: readable sanitizer and fuzzer stack traces
)
# HOME_NATIVE_LIBGIT2=system (scripts/libgit2/prefix.sh): the system's libgit2 instead of the
# static one, found through pkg-config.
if [[ "${HOME_NATIVE_LIBGIT2:-}" == system ]]; then packages+=(pkg-config); fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bootstrap: missing build dependencies: ${missing[*]}" >&2
    echo "bootstrap: run as root: sudo sh -c \"apt-get update && apt-get install -y ${missing[*]}\"" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A third-party list that cannot be reached must not stop us: the install below says whether
  # what we need was found.
  apt-get update -qq >/dev/null || echo "bootstrap: apt-get update reported errors; trying the install anyway" >&2
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# libgit2 >= 1.7 is the first with shallow fetch; Debian 12 ships 1.5, bookworm-backports 1.8.
# Only the system-libgit2 build needs it: the static build compiles 1.9 from Debian's source.
readonly backports_list=/etc/apt/sources.list.d/home-native-backports.list
if [[ "${HOME_NATIVE_LIBGIT2:-}" == system ]] && ! pkg-config --atleast-version=1.7 libgit2; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bootstrap: HOME_NATIVE_LIBGIT2=system needs libgit2-dev >= 1.7; on Debian 12, as root:" >&2
    echo "bootstrap:   echo 'deb http://deb.debian.org/debian bookworm-backports main' > $backports_list" >&2
    echo "bootstrap:   apt-get update && apt-get install -y -t bookworm-backports libgit2-dev" >&2
    exit 1
  fi
  echo "bootstrap: installing libgit2-dev (bookworm-backports)"
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$backports_list"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || echo "bootstrap: apt-get update reported errors; trying the install anyway" >&2
  apt-get install -y -qq -t bookworm-backports libgit2-dev >/dev/null
  pkg-config --atleast-version=1.7 libgit2 || { echo "bootstrap: libgit2 >= 1.7 still missing" >&2; exit 1; }
fi

# npm dependencies, again only when the lock file changed since the last install. Scripts are
# skipped: our own install script would build before the headers are located (scripts/build.mjs).
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || "$(cat node_modules/.home-native-lock 2>/dev/null)" != "$lock_sum" ]]; then
  echo "bootstrap: npm ci"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_sum" > node_modules/.home-native-lock
fi

node scripts/build.mjs --quiet
