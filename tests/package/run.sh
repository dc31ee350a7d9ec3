#!/usr/bin/env bash
# Installs the npm tarball (scripts/package.sh) into fresh temporary
# projects, as users do, and uses it: a Node 20 script, a Deno 2 script
# (both tests/package/usage.mjs, which must also end on its own), in Node a
# script that must end on its own without cleanup() (exits.mjs) and memory
# given back at the TTL (memory.test.mjs), a strict TypeScript project
# checked by tsc (typescript/), and a vite app that is built and loaded in
# headless Chromium.
# Usage: tests/package/run.sh dist/background-manager-X.tgz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
VITE_VERSION=8.4.0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm_install() { npm install --no-audit --no-fund --loglevel=error "$@" >/dev/null; }

echo "-- Node $(node --version): a project that installed the tarball"
mkdir "$work/node" && cd "$work/node"
echo '{ "name": "node-user", "private": true, "type": "module" }' > package.json
npm_install "$tarball"
cp "$here/usage.mjs" "$here/exits.mjs" "$here/memory.mjs" "$here/memory.test.mjs" .
timeout 60 node usage.mjs
timeout 30 node exits.mjs
timeout 120 node --expose-gc --test memory.test.mjs
# The README's example, exactly as the package ships it.
awk '/^```js$/{on=1; next} /^```$/{if (on) exit} on' node_modules/background-manager/README.md > readme.mjs
timeout 60 node readme.mjs > readme.out
grep -q "status: 'completed'" readme.out && grep -qx "cancelled" readme.out && echo "the README example runs as pasted: ok"

echo "-- Deno $(deno --version | head -1 | cut -d' ' -f2): the same, through package.json"
mkdir "$work/deno" && cd "$work/deno"
echo '{ "name": "deno-user", "private": true, "type": "module" }' > package.json
npm_install "$tarball"
cp "$here/usage.mjs" .
timeout 60 deno run --quiet --allow-read --allow-env usage.mjs

echo "-- TypeScript $(tsc --version | cut -d' ' -f2): a strict project without Deno's types or skipLibCheck"
mkdir "$work/typescript" && cd "$work/typescript"
echo '{ "name": "ts-user", "private": true, "type": "module" }' > package.json
npm_install "$tarball"
cp "$here/typescript/tsconfig.json" "$here/typescript/main.ts" .
tsc -p .
tsc -p . --module nodenext --moduleResolution nodenext
echo "tsc --noEmit, as a bundler and as Node resolve the package: ok"

echo "-- JSR: the same files, as deno publish would take them"
published=$(cd "$here/../../pkg" && deno publish --dry-run --allow-dirty 2>&1) || { echo "$published"; exit 1; }
grep -q "Dry run complete" <<<"$published" || { echo "$published"; exit 1; }
echo "deno publish --dry-run: ok"

echo "-- vite $VITE_VERSION: an app built with the package, loaded in Chromium"
mkdir "$work/vite" && cd "$work/vite"
echo '{ "name": "vite-user", "private": true, "type": "module" }' > package.json
npm_install "$tarball" "vite@$VITE_VERSION"
cp "$here/vite/index.html" "$here/vite/main.js" .
npx --no-install vite build --logLevel warn
cd "$here/../.."
DIST="$work/vite/dist" node --test tests/package/vite.test.mjs
