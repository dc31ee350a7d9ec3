#!/usr/bin/env bash
# The benchmarks: builds the release pkg/, then runs bench/ in Deno and in
# headless Chromium against the plain-JS manager and p-queue, printing every
# figure and whether each target is met. `scripts/bench.sh --quick` for a
# short run.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
scripts/build.sh
echo
deno run --quiet --allow-read --allow-env --v8-flags=--expose-gc bench/deno.ts "$@"
echo
node bench/chromium.mjs "$@"
