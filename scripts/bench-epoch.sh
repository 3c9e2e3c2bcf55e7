#!/usr/bin/env bash
# Epoch weight benchmark of the emission pallet (not part of CI). Prints a table: for 64, 256
# and 1024 UIDs with 64 validators (each weighing every UID, every payout made), the native
# time of one epoch on the mock runtime (median of 5), and the weight charged for it
# (the generated `pallet_emission::WeightInfo::epoch` plus the mock's payouts straight into pallet-stake, DB accesses priced with ParityDb — the node's database —
# and with RocksDB for reference) as a share of the 2 s block weight limit.
#
# A second table, the worst-case **block share**: for owner settings (tempo lined up so that
# every subnet falls due in one block, at the floor rule 2 · MaxSubnets — the runtime's floor is
# 256 = 2 · 128 — or below it, max UIDs 64 or 256, 1 to all 8 of the
# mock's subnets due together; 64 validators weighing every UID) it runs the real hooks of the
# mock runtime block by block and prints the largest share of the block (the mock's 1 s limit,
# ParityDb prices, the generated weights) that the emission hook (flows, minting and the epochs it runs within its
# budget, `EpochBlockShare` = 25 %) and the subnets hook (every due subnet's epoch hooks) charged,
# the epochs that fell due and the epochs run (fewer when a subnet falls due again while still
# queued: the two merge into one run paying all pending emission).
#
#   scripts/bench-epoch.sh
#
# BENCH_PROFILE=release (default) times optimised code; BENCH_PROFILE=dev reuses the debug
# build (much slower code: an upper bound).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arena-target}"
export SKIP_WASM_BUILD=1
profile="${BENCH_PROFILE:-release}"
cargo test --locked --profile "$profile" -p pallet-emission --features runtime-benchmarks \
  --lib epoch_weight_table -- --ignored --nocapture --test-threads 1 2>/dev/null |
  grep -E '^\|'
