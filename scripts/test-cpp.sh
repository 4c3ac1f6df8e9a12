#!/usr/bin/env bash
# Configures, builds and runs the GoogleTest suites through CTest. `SANITIZE=1` builds them with
# ASan and UBSan in a separate build directory, together with the addon (for the node:test suites
# under the sanitizers, scripts/reliability.sh) when Node's headers are there.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=build-cpp
# The same libgit2 as the addon's (the static one unless HOME_NATIVE_LIBGIT2=system).
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DHOME_NATIVE_LIBGIT2_PREFIX="$(bash scripts/libgit2/prefix.sh)")
if [[ "${SANITIZE:-0}" == 1 ]]; then
  build_dir=build-cpp-asan
  cmake_args+=(-DHOME_NATIVE_SANITIZE=ON)
  if [[ -f /usr/include/node/node_api.h && -d node_modules/node-addon-api ]]; then cmake_args+=(-DHOME_NATIVE_ADDON=ON); fi
fi
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
# The filter may find nothing to print; a failed build must still stop here (pipefail), not run
# the tests of a stale binary.
cmake --build "$build_dir" -j "$(nproc)" 2>&1 | { grep -Ev '^\[ *[0-9]+%\]|^Consolidate|^$' || true; }
test -x "$build_dir/core_tests"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" --timeout 300
