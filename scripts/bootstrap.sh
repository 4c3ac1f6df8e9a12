#!/usr/bin/env bash
# Brings a fresh Debian 12 machine (or this checkout) to the point where the addon, the shim and
# the C++ tests build: Debian packages, npm dependencies, then the build itself. Idempotent and
# quiet when everything is already there; each step says what it does only when it does it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian package -> why we need it.
packages=(
  g++            # the addon and the C++ tests
  make           # node-gyp's generator
  cmake          # the C++ test build
  pkg-config     # finds libgit2's flags
  python3        # node-gyp
  git            # test fixtures and the reference clone in the benchmarks
  openssl        # the HTTPS tests generate their CA and certificate
  libssl-dev     # SHA-256 and certificate checks in the C++ test build
  libgtest-dev   # GoogleTest
  nlohmann-json3-dev
  ca-certificates # the system trust store that HTTPS clones (and its C++ test) look for
  dpkg-dev       # dpkg-source: npm run prebuildify builds libgit2 from Debian's source packages
                 # (their deb-src lines: scripts/prebuild/deb-src.sh, when first needed)
  clang          # the libFuzzer targets (scripts/fuzz.sh)
  libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes for clang
  llvm           # llvm-symbolizer: readable sanitizer and fuzzer stack traces
)
# libgit2 >= 1.7 is the first with shallow fetch; Debian 12 ships 1.5, bookworm-backports 1.8.
readonly backports_list=/etc/apt/sources.list.d/home-native-backports.list

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
need_libgit2=0
pkg-config --atleast-version=1.7 libgit2 2>/dev/null || need_libgit2=1

if ((${#missing[@]})) || ((need_libgit2)); then
  install_cmd="apt-get update && apt-get install -y ${missing[*]:-}"
  backports_cmd=""
  if ((need_libgit2)); then
    backports_cmd="echo 'deb http://deb.debian.org/debian bookworm-backports main' > $backports_list && "
    install_cmd+=" && apt-get install -y -t bookworm-backports libgit2-dev"
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "bootstrap: missing build dependencies: ${missing[*]:-} $( ((need_libgit2)) && echo 'libgit2-dev>=1.7')" >&2
    echo "bootstrap: run as root: sudo sh -c \"${backports_cmd}${install_cmd}\"" >&2
    exit 1
  fi
  echo "bootstrap: installing ${missing[*]:-} $( ((need_libgit2)) && echo 'libgit2-dev (bookworm-backports)')"
  if ((need_libgit2)) && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$backports_list"
  fi
  export DEBIAN_FRONTEND=noninteractive
  # A third-party list that cannot be reached must not stop us: the installs below say whether
  # what we need was found.
  apt-get update -qq >/dev/null || echo "bootstrap: apt-get update reported errors; trying the installs anyway" >&2
  if ((${#missing[@]})); then apt-get install -y -qq "${missing[@]}" >/dev/null; fi
  if ((need_libgit2)); then apt-get install -y -qq -t bookworm-backports libgit2-dev >/dev/null; fi
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
