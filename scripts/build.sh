#!/usr/bin/env bash
# Builds pkg/ (wasm-pack, --target web, release) and prints its sizes: the
# default build in pkg/ and the durable build (stores and the inbox, the
# `durable` feature) in pkg/durable/, which the package exports as
# 'background-manager/durable'. The size budget is the default build's.
# `scripts/build.sh --features check` builds both with the differential
# check the test suites call (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
extra=""
if [ "${1:-}" = "--features" ]; then extra=",$2"; fi
# Stale files of an earlier build must not ship.
rm -rf pkg target/pkg-durable
wasm-pack --quiet build --target web --release -- --no-default-features --features "js$extra" >&2
wasm-pack --quiet build --target web --release --out-dir target/pkg-durable -- --features "js,durable$extra" >&2
node scripts/short-names.mjs pkg
node scripts/short-names.mjs target/pkg-durable
rm -rf pkg/durable
mkdir -p pkg/durable
cp -r target/pkg-durable/background_manager.js target/pkg-durable/background_manager.d.ts \
  target/pkg-durable/background_manager_bg.wasm target/pkg-durable/background_manager_bg.wasm.d.ts \
  target/pkg-durable/snippets pkg/durable/
node scripts/manifest.mjs
size() {
  local dir=$1 what=$2
  local wasm=$dir/background_manager_bg.wasm
  local gz js glue
  gz=$(gzip -9c "$wasm" | wc -c)
  js=$(gzip -9c "$dir/background_manager.js" | wc -c)
  glue=$(find "$dir/snippets" -name '*.js' -print0 | xargs -0 cat | gzip -9 | wc -c)
  printf 'size: %s bytes .wasm, %s bytes gzipped%s%s\n' "$(wc -c <"$wasm")" "$gz" "$what" "${extra:+ [features${extra//,/ }]}"
  printf 'size: %s bytes JS glue gzipped, + %s bytes of the skin'"'"'s JS\n' "$js" "$glue"
  echo "$gz"
}
# Printed through variables, not `tee /dev/stderr` (which truncates a log
# file that stderr goes to) or `head` (which can end the pipe early: SIGPIPE).
out=$(size pkg " (budget 81920)")
printf '%s\n' "$out" | sed -n 1,2p >&2
gz=$(printf '%s\n' "$out" | sed -n 3p)
out=$(size pkg/durable " (durable build: stores and the inbox)")
printf '%s\n' "$out" | sed -n 1,2p >&2
if [ -z "$extra" ] && [ "$gz" -gt 81920 ]; then
  echo "size: over the budget" >&2
  exit 1
fi
