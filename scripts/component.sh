#!/usr/bin/env bash
# Builds the WebAssembly component (cargo build --release --target
# wasm32-wasip2) and prints its path and sizes. With --js it also
# transpiles it with jco into target/component-js, the two WASI imports
# mapped to tests/component/shim.mjs, and prints the glue's size.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
cargo build --quiet --release --target wasm32-wasip2
wasm=target/wasm32-wasip2/release/background_manager.wasm
echo "component: $wasm"
printf 'size: %s bytes raw, %s bytes gzipped\n' "$(wc -c <"$wasm")" "$(gzip -9c "$wasm" | wc -c)"
if [ "${1:-}" = "--js" ]; then
  out=target/component-js
  rm -rf "$out"
  # The specifiers are written into $out/background_manager.js as they are
  # given: relative to that file.
  jco transpile "$wasm" -o "$out" --name background_manager --quiet \
    --map 'wasi:clocks/wall-clock=../../tests/component/shim.mjs#wallClock' \
    --map 'wasi:random/random=../../tests/component/shim.mjs#random'
  printf 'jco %s: %s bytes of JS glue, %s gzipped; core module %s bytes, %s gzipped\n' \
    "$(jco --version)" \
    "$(wc -c <"$out/background_manager.js")" "$(gzip -9c "$out/background_manager.js" | wc -c)" \
    "$(wc -c <"$out/background_manager.core.wasm")" "$(gzip -9c "$out/background_manager.core.wasm" | wc -c)"
fi
