#!/usr/bin/env bash
# Installs denokv (crates.io), the self-hosted Deno KV server the durable
# suite runs against, unless it is there already (about 10 minutes to
# build the first time). The suite starts it on 127.0.0.1 with an access
# token of its own.
set -euo pipefail
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v denokv >/dev/null; then
  echo "setup: installing denokv (about 10 minutes)" >&2
  cargo install --locked denokv >&2
fi
