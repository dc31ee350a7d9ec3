#!/usr/bin/env bash
# The main command: installs what is missing, builds pkg/, runs the Deno example.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
scripts/build.sh
echo
deno run --quiet --allow-read examples/lifecycle.ts
