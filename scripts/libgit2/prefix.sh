#!/usr/bin/env bash
# Prints where the libgit2 that every build links is installed: the static one built from
# Debian's sources (build-static.sh, built first when missing or stale). Prints nothing when
# HOME_NATIVE_LIBGIT2=system: the builds then link the system's shared libgit2 (>= 1.7) through
# pkg-config instead, for machines where the static build cannot run (no apt-get source).
# The one place that decides, for scripts/build.mjs, scripts/test-cpp.sh and scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${HOME_NATIVE_LIBGIT2:-static}" in
  static) bash scripts/libgit2/build-static.sh | tail -n1 ;;
  system) ;;
  *) echo "libgit2: HOME_NATIVE_LIBGIT2 must be static or system, not ${HOME_NATIVE_LIBGIT2}" >&2; exit 2 ;;
esac
