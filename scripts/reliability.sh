#!/usr/bin/env bash
# The reliability steps of CI, each timed (the crash-safety, leak, load, race and bad-server
# node:test suites run with the others in scripts/test.sh):
#   1. the GoogleTest suites under ASan + UBSan, and the addon built with them;
#   2. the sandbox, home-file, home-lock, clone, TLS, bad-server, hostile-repository, credential,
#      submodule, home-reader and linked-dotfile node:test suites against that addon (the
#      hostile-repository one cuts libgit2 off with a refused allocation at many points);
#   3. the races, long: the overlay writer and the ~/.dotfiles swap (RACE_MS each), the tree
#      removal (RACE_ITERATIONS trees);
#   4. fuzzing, FUZZ_SECONDS per target (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${FUZZ_SECONDS:-20}
race_ms=${RACE_MS:-8000}
race_iterations=${RACE_ITERATIONS:-3000}
# Races run fastest on tmpfs: more rounds in the same seconds.
race_tmp=$( [[ -w /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}" )

step() {
  local name=$1 started=$SECONDS
  shift
  "$@"
  echo "reliability: $name: $((SECONDS - started)) s"
}

asan_node() {
  # Node itself leaks at exit: leak detection off; every other ASan or UBSan report fails.
  HOME_NATIVE_ADDON_PATH="$PWD/build-cpp-asan/home_native.node" \
    LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    node --test --test-concurrency=1 test/sandbox.test.mjs test/home-files.test.mjs test/home-lock.test.mjs test/clone.test.mjs test/tls.test.mjs \
    test/bad-servers.test.mjs test/hostile-repo.test.mjs test/credentials.test.mjs test/submodules.test.mjs \
    test/home-readers.test.mjs test/link-dotfiles.test.mjs
}

races() {
  # The whole report goes to a file so that the suite's own exit status decides, and only the
  # figures and the summary are printed.
  local report status=0
  report=$(mktemp)
  HOME_NATIVE_RACE_MS=$race_ms node --test --test-concurrency=1 --test-name-pattern=race \
    test/sandbox.test.mjs test/races.test.mjs >"$report" 2>&1 || status=$?
  grep -E '^# (writer race|dotfiles race)|^# (pass|fail) ' "$report" || true
  if ((status != 0)); then cat "$report"; rm -f "$report"; return "$status"; fi
  rm -f "$report"
  HOME_NATIVE_RACE_ITERATIONS=$race_iterations TMPDIR=$race_tmp build-cpp/core_tests --gtest_filter='TreeRemoveRace*' --gtest_brief=1
}

step "C++ suites under ASan+UBSan" env SANITIZE=1 bash scripts/test-cpp.sh
if [[ -f build-cpp-asan/home_native.node ]]; then
  step "node:test suites with the ASan addon" asan_node
else
  echo "reliability: no ASan addon (Node's headers missing?): node:test suites under ASan skipped" >&2
  exit 1
fi
step "races" races
step "fuzzing (${FUZZ_SECONDS}s per target)" bash scripts/fuzz.sh
