#!/usr/bin/env bash
# Runs every test: native engine tests, the WIT check, the binding tests under
# Node and headless Chrome, and the Deno suite on the built pkg/. Ends with
# one line counting every test that ran.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

step() { printf '\n== %s\n' "$1"; }
# Runs a step, shows its output, keeps it for the final count.
run() { local name=$1; shift; "$@" 2>&1 | tee "$log/$name.txt"; return "${PIPESTATUS[0]}"; }

step "native: engine and WIT (cargo test)"
run cargo cargo test --quiet

step "build pkg/"
scripts/build.sh

step "binding tests in Node (wasm-pack test --node)"
run node wasm-pack test --node -- --test web --no-default-features

step "binding tests in headless Chromium (wasm-pack test --headless --chrome)"
WASM_BINDGEN_USE_BROWSER=1 run chrome wasm-pack test --headless --chrome -- --test web --no-default-features

step "types: the seed's examples and the Deno examples type-check against pkg/ (deno check)"
deno check --quiet tests/deno/usage.ts examples/*.ts scripts/serve.ts && echo "deno check: ok"

step "Deno suite on pkg/ (deno test)"
run deno deno test --quiet --allow-read tests/deno/

step "the www/ console end to end in headless Chromium (playwright-core, node --test)"
run e2e node --test tests/e2e/

step "the Deno examples run"
deno run --quiet --allow-read examples/lifecycle.ts > /dev/null && echo "examples/lifecycle.ts: ok"
deno run --quiet --allow-read examples/batch.ts 8 3 > /dev/null && echo "examples/batch.ts: ok"

passed=0 failed=0
for f in "$log"/*.txt; do
  read -r p q < <(sed -E 's/\x1b\[[0-9;]*m//g' "$f" | awk '
    /test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) q += $i } }
    /^(ok|FAILED) \|/ { for (i = 1; i <= NF; i++) { if ($(i+1) == "passed") p += $i; if ($(i+1) == "failed") q += $i } }
    /^# pass / { p += $3 }
    /^# fail / { q += $3 }
    END { print p + 0, q + 0 }')
  passed=$((passed + p)) failed=$((failed + q))
done
echo
echo "all suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
