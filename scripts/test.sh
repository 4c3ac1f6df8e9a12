#!/usr/bin/env bash
# The README's test command: set up whatever is missing, build, type-check, then run the node:test
# suites and the GoogleTest suites (CTest), then the reliability steps (sanitizers, long races,
# fuzzing: scripts/reliability.sh; RELIABILITY=0 skips them). Each runner prints its own summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
node node_modules/typescript/bin/tsc -p test/types/tsconfig.json
node --test --test-concurrency=1 --test-timeout=600000 test/*.test.mjs
bash scripts/test-cpp.sh
if [[ "${RELIABILITY:-1}" != 0 ]]; then bash scripts/reliability.sh; fi
