#!/usr/bin/env bash
# Fetches the Debian source packages the static libgit2 (build-static.sh) is built from into deps/src/ and
# unpacks them with Debian's patches applied (dpkg-source). Debian's archive is the one source
# registry every machine of this project (and CI) reaches; Debian's repacks ("+ds", "dfsg") drop
# bundled third-party code, which is why each dependency is a package of its own here.
# Idempotent: a package already unpacked under deps/src/ is not fetched again, so CI jobs on
# systems without apt (Alpine, macOS) can be handed the unpacked tree from a Debian job.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=deps/src
mkdir -p "$src"

# source package -> suite. libgit2 >= 1.7 (shallow fetch): the archive does not serve
# bookworm-backports' 1.8.4 source, so libgit2 1.9 comes from trixie (a deb-src line only; its
# CMake needs nothing newer than bookworm's). Its "+ds" repack keeps only xdiff of its bundled
# code: zlib and http-parser come from bookworm. No TLS library: libgit2 is compiled against the
# OpenSSL headers of Node (build-static.sh) and uses the process's OpenSSL at run time.
packages=(
  "zlib bookworm"
  "http-parser bookworm"
  "libgit2 trixie"
)

for entry in "${packages[@]}"; do
  read -r pkg suite <<<"$entry"
  if compgen -G "$src/$pkg-[0-9]*/" >/dev/null; then continue; fi
  if ! command -v apt-get >/dev/null || ! command -v dpkg-source >/dev/null; then
    echo "fetch-sources: $pkg is not in $src/ and this machine has no apt-get/dpkg-source to fetch it;" >&2
    echo "fetch-sources: run scripts/libgit2/fetch-sources.sh on Debian and copy $src/ here" >&2
    exit 1
  fi
  # The deb-src lines, added (as root) the first time a package has to be fetched.
  bash scripts/libgit2/deb-src.sh
  echo "fetch-sources: apt-get source $pkg/$suite"
  # Downloaded as root, apt warns that its sandbox user cannot write here; harmless.
  if ! (cd "$src" && apt-get source -qq "$pkg/$suite" >/dev/null 2>apt-source.log); then
    cat "$src/apt-source.log" >&2
    echo "fetch-sources: could not fetch the source of $pkg from $suite: is the deb-src line for" >&2
    echo "fetch-sources: $suite configured (scripts/libgit2/deb-src.sh adds it) and the archive reachable?" >&2
    exit 1
  fi
  rm -f "$src/apt-source.log"
done
