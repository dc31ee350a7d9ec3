#!/usr/bin/env bash
# Installs whatever this project needs and is missing; safe to run again.
# Prints the PATH additions on stdout's last line for callers to eval:
#   eval "$(scripts/setup.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."

# npm tools live outside the clone so fresh clones on one machine share them.
TOOLS="${BM_TOOLS:-$HOME/.cache/background-manager}"
DENO_VERSION=2.9.6
BINARYEN_VERSION=132.0.0
PLAYWRIGHT_VERSION=1.65.1
# The benchmark's peer (bench/): the p-queue the issue measured against.
PQUEUE_VERSION=9.3.5
# Transpiles the component for JS hosts; 1.11.2's glue is about 4x faster
# and 3x smaller than 1.35's.
JCO_VERSION=1.11.2
# Checks the package's types as a TypeScript project without Deno's types
# does (tests/package/run.sh).
TYPESCRIPT_VERSION=5.9.3

say() { echo "setup: $*" >&2; }
export PATH="$TOOLS/node_modules/.bin:$HOME/.cargo/bin:$PATH"

for target in wasm32-unknown-unknown wasm32-wasip2; do
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    say "adding the $target target"
    rustup target add "$target" >&2
  fi
done

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (about 3 minutes)"
  cargo install --locked wasm-pack >&2
fi

# wasm-pack uses the wasm-bindgen on PATH only if it matches Cargo.lock exactly;
# otherwise it builds its own copy on every fresh machine.
want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/[^0-9.]/,""); print}' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$want" != "$have" ]; then
  say "installing wasm-bindgen-cli $want (about 4 minutes)"
  # No --locked: its lockfile names a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$want" --force >&2
fi

if ! "$TOOLS/node_modules/.bin/deno" --version 2>/dev/null | grep -q "deno $DENO_VERSION" ||
   ! "$TOOLS/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}" ||
   [ ! -d "$TOOLS/node_modules/playwright-core" ] ||
   ! grep -q "\"version\": \"$PQUEUE_VERSION\"" "$TOOLS/node_modules/p-queue/package.json" 2>/dev/null ||
   ! "$TOOLS/node_modules/.bin/jco" --version 2>/dev/null | grep -qx "$JCO_VERSION" ||
   ! "$TOOLS/node_modules/.bin/tsc" --version 2>/dev/null | grep -qx "Version $TYPESCRIPT_VERSION"; then
  say "installing deno $DENO_VERSION, binaryen $BINARYEN_VERSION, playwright-core, p-queue, jco $JCO_VERSION, typescript $TYPESCRIPT_VERSION into $TOOLS"
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
    "deno@$DENO_VERSION" "binaryen@$BINARYEN_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" \
    "p-queue@$PQUEUE_VERSION" "@bytecodealliance/jco@$JCO_VERSION" "typescript@$TYPESCRIPT_VERSION" >&2
fi

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "installing chromium and chromium-driver from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq chromium chromium-driver >&2
fi

echo "export BM_TOOLS=\"$TOOLS\" PATH=\"$TOOLS/node_modules/.bin:\$HOME/.cargo/bin:\$PATH\""
