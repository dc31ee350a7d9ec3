#!/usr/bin/env bash
# Builds pkg/ (wasm-pack, --target web, release) and prints its sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
wasm-pack --quiet build --target web --release >&2
wasm=pkg/background_manager_bg.wasm
js=pkg/background_manager.js
glue=$(find pkg/snippets -name '*.js' -print0 | xargs -0 cat | gzip -9 | wc -c)
printf 'size: %s bytes .wasm, %s bytes gzipped (aim: < 40960)\n' "$(wc -c <"$wasm")" "$(gzip -9c "$wasm" | wc -c)"
printf 'size: %s bytes JS glue gzipped (+ %s bytes of snippets)\n' "$(gzip -9c "$js" | wc -c)" "$glue"
