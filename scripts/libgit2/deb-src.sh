#!/usr/bin/env bash
# Makes `apt-get source` work for the suites fetch-sources.sh takes packages from: one deb-src
# list of our own, rewritten only when it differs, then `apt-get update`. Source lines only: no
# binary package of another suite (trixie) can ever be installed through it.
# bookworm: zlib, http-parser. trixie: libgit2 1.9 (bookworm-backports' 1.8.4
# source is not served by the archive).
# Needs root; prints what to do otherwise.
set -euo pipefail

readonly list=/etc/apt/sources.list.d/home-native-src.sources
readonly want='Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'

if [[ -f $list && "$(cat "$list")" == "$want" ]]; then exit 0; fi
if [[ $(id -u) -ne 0 ]]; then
  echo "deb-src: run as root, or write $list with:" >&2
  echo "$want" >&2
  exit 1
fi
echo "deb-src: writing $list (deb-src for bookworm and trixie)" >&2
printf '%s\n' "$want" >"$list"
# A third-party list that cannot be reached must not stop us: apt-get source says whether
# what we need was found.
apt-get update -qq >/dev/null || echo "deb-src: apt-get update reported errors; trying anyway" >&2
