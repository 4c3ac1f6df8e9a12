#!/usr/bin/env bash
# The packaging test: build this platform's prebuild (static libgit2, reused from deps/ when
# unchanged), then pack, install and use the tarball as a user would (test/package/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
node scripts/prebuild.mjs
node --test --test-concurrency=1 --test-timeout=600000 test/package/*.test.mjs
