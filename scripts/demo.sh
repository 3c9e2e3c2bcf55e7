#!/usr/bin/env bash
# Runs a local Arena: a development chain, subnet 0 with a tiny model, two validators and four
# miners (one cheats from round 2 on) as real arena-validator / arena-miner processes, and a
# table per round: audits, usefulness, weights, escrow, validation loss (tests/src/bin/arena-demo.rs).
#
#   scripts/demo.sh               run until Ctrl-C
#   scripts/demo.sh --rounds 4    stop after 4 rounds
#
# Everything the programs write (per-round CSV, loss plot, logs) stays in ./arena-demo-data.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arena-target}"
[ -n "${ARENA_SKIP_SETUP:-}" ] || scripts/setup.sh
echo "==> building (first build: 30-50 min on 2 cores)"
cargo build --locked --workspace
exec "$CARGO_TARGET_DIR/debug/arena-demo" --work-dir arena-demo-data "$@"
