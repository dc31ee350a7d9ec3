#!/usr/bin/env bash
# Fuzzes the engine's operations with cargo fuzz (libFuzzer, nightly) for a
# bounded time: scripts/fuzz.sh [seconds, default 60]. It starts from the
# seeds kept in fuzz/seeds/engine_ops (hand-written cases and a sample of a
# minimized corpus); new inputs collect in fuzz/corpus (not committed); a
# crash is saved under fuzz/artifacts/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
rustup toolchain list | grep -q '^nightly' || { echo "fuzz: needs the nightly toolchain" >&2; exit 1; }
mkdir -p fuzz/corpus/engine_ops
cargo +nightly fuzz run engine_ops fuzz/corpus/engine_ops fuzz/seeds/engine_ops -- \
  -max_total_time="$seconds" -max_len=600
