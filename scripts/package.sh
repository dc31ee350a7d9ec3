#!/usr/bin/env bash
# `make package`: builds the release pkg/ (scripts/build.sh makes it the
# package, see scripts/manifest.mjs) and packs it into dist/ as the npm
# tarball users install; prints its size and files.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
scripts/build.sh
mkdir -p dist
tarball=$(npm pack ./pkg --pack-destination dist --silent)
echo "package: dist/$tarball, $(wc -c <"dist/$tarball") bytes"
tar -tzf "dist/$tarball" | sed 's/^/  /'
