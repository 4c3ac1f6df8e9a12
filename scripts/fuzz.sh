#!/usr/bin/env bash
# Builds the libFuzzer targets (cpp-tests/fuzz/*_fuzzer.cc) with clang, ASan and UBSan in
# build-fuzz/, replays their regression inputs (CTest), then fuzzes each for FUZZ_SECONDS
# (default 60) with a corpus that persists in build-fuzz/corpus/<target>. Prints runs and
# executions per second per target. A crash stops the script; the input is saved as
# build-fuzz/crash-<target>-*; copy it into cpp-tests/fuzz/corpus/<target>/ as a regression.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build_dir=build-fuzz
cmake -S . -B "$build_dir" -DHOME_NATIVE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DHOME_NATIVE_LIBGIT2_PREFIX="$(bash scripts/libgit2/prefix.sh)" >/dev/null
targets=()
for source in cpp-tests/fuzz/*_fuzzer.cc; do targets+=("$(basename "$source" .cc)"); done
cmake --build "$build_dir" -j "$(nproc)" --target "${targets[@]}" 2>&1 | { grep -Ev '^\[ *[0-9]+%\]|^Consolidate|^$' || true; }
ctest --test-dir "$build_dir" --output-on-failure -R '_fuzzer\.regressions$'

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"
  mkdir -p "$corpus"
  log="$build_dir/$target.log"
  # One worker, bounded time and memory; new inputs go to the build corpus, the seeds in the
  # source tree are read only.
  if ! "$build_dir/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$build_dir/crash-$target-" "$corpus" "cpp-tests/fuzz/corpus/$target" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz: $target FAILED (log: $log)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
  echo "fuzz: $target ${seconds}s runs=$runs exec/s=$rate cov=${cov:-?} corpus=$(ls "$corpus" | wc -l)"
done
