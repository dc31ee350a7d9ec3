#!/usr/bin/env bash
# The benchmarks: builds pkg/, then runs bench/ in Deno and in headless
# Chromium, printing every figure. `scripts/bench.sh --quick` for a short run.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
scripts/build.sh
echo
deno run --quiet --allow-read --v8-flags=--expose-gc bench/deno.ts "$@"
echo
node bench/chromium.mjs "$@"
