#!/usr/bin/env bash
# The main command: installs what is missing, builds pkg/, and serves the
# www/ console on localhost (PORT, default 8080), printing its URL.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/setup.sh)"
scripts/build.sh
echo
exec deno run --quiet --allow-net=127.0.0.1 --allow-read --allow-env=BM_TOOLS,HOME scripts/serve.ts "${PORT:-8080}"
