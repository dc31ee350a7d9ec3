#!/usr/bin/env bash
# Builds pkg/ (wasm-pack, --target web, release) and prints its sizes.
# `scripts/build.sh --features check` builds it with the differential check
# the test suites call (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
wasm-pack --quiet build --target web --release -- "$@" >&2
node scripts/manifest.mjs
wasm=pkg/background_manager_bg.wasm
gz=$(gzip -9c "$wasm" | wc -c)
js=$(gzip -9c pkg/background_manager.js | wc -c)
glue=$(find pkg/snippets -name '*.js' -print0 | xargs -0 cat | gzip -9 | wc -c)
printf 'size: %s bytes .wasm, %s bytes gzipped (budget 81920)%s\n' "$(wc -c <"$wasm")" "$gz" "${*:+ [$*]}"
printf 'size: %s bytes JS glue gzipped, + %s bytes of the skin'"'"'s JS\n' "$js" "$glue"
if [ $# -eq 0 ] && [ "$gz" -gt 81920 ]; then
  echo "size: over the budget" >&2
  exit 1
fi
