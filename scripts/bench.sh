#!/usr/bin/env bash
# The benchmarks: builds the release pkg/, then runs bench/ in Deno and in
# headless Chromium against the plain-JS manager and p-queue, printing every
# figure and whether each target is met; then the component beside the ES
# module. `scripts/bench.sh --quick` for a
# short run.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
scripts/build.sh
echo
deno run --quiet --allow-read --allow-env --v8-flags=--expose-gc bench/deno.ts "$@"
echo
deno run --quiet --unstable-kv --allow-read --allow-write bench/durable.ts "$@"
echo
node bench/chromium.mjs "$@"
echo
# The component: its size, then 10k create -> complete -> get rounds through
# wasmtime (the test host), and through jco in Node and Deno beside the ES
# module.
scripts/component.sh --js
(cd tests/wasmtime && cargo build --quiet --locked --target-dir ../../target/wasmtime)
target/wasmtime/debug/background-manager-wasmtime-host \
  target/wasm32-wasip2/release/background_manager.wasm bench 10000 | tail -n 1
node bench/component.mjs 10000
deno run --quiet --allow-read bench/component.mjs 10000
