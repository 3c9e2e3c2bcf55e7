#!/usr/bin/env bash
# Regenerates the Arena pallets' weight files (pallets/<name>/src/weights.rs: the `WeightInfo`
# trait, `SubstrateWeight<T>` that the runtime uses, and `()` for tests) by running their
# frame-benchmarking benchmarks in the Wasm runtime, rendered with scripts/weight-template.hbs
# (not part of CI).
#
#   scripts/bench-weights.sh [pallet ...]     default: every Arena pallet
#
# Builds a **release** `arena-node` with `--features runtime-benchmarks` (a separate profile and
# feature set: the first build takes about as long as the node's first build). A debug node
# runs the host functions (storage, hashing) unoptimised and inflates every weight ~10×. BENCH_STEPS / BENCH_REPEAT tune the
# sampling (defaults 10 / 5); BENCH_NO_BUILD=1 reuses the release node already built (the
# weight files themselves do not change what is measured). Weights measured here are for this machine; regenerate on the
# reference hardware before a production launch.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arena-target}"
# frame-benchmarking-cli's storage-access test runtime is only for `benchmark storage`; its Wasm
# build cannot resolve it in this workspace, and `benchmark pallet` does not need it.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
[ "${BENCH_NO_BUILD:-0}" = 1 ] || cargo build --release --locked -p arena-node --features runtime-benchmarks
node_bin="$CARGO_TARGET_DIR/release/arena-node"
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_subnets pallet_stake pallet_emission pallet_escrow pallet_rounds)
for p in "${pallets[@]}"; do
	echo "==> $p"
	"$node_bin" benchmark pallet --chain dev --pallet "$p" --extrinsic '*' \
		--steps "${BENCH_STEPS:-10}" --repeat "${BENCH_REPEAT:-5}" \
		--wasm-execution compiled --heap-pages 4096 \
		--header scripts/weights-header.txt --template scripts/weight-template.hbs \
		--output "pallets/${p#pallet_}/src/weights.rs"
done
