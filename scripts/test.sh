#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit and property tests, end-to-end tests against
# real nodes (Rust/subxt and polkadot.js). Installs what it needs first (scripts/setup.sh).
#
# Environment:
#   CARGO_TARGET_DIR   build cache (default: ~/.cache/arena-target, shared with CI)
#   ARENA_SKIP_SETUP=1 skip scripts/setup.sh
#   ARENA_SKIP_JS=1    skip the polkadot.js tests
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arena-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Not one SKIP_WASM_BUILD toggle: the runtime's build script reruns (and the node relinks)
# whenever that variable changes, so every step below builds with the same environment.
unset SKIP_WASM_BUILD

started=$(date +%s)
step() {
	local name=$1
	shift
	local t0
	t0=$(date +%s)
	printf '\n==> %s\n' "$name"
	"$@"
	printf '<== %s: %ss\n' "$name" "$(($(date +%s) - t0))"
}

if [ -z "${ARENA_SKIP_SETUP:-}" ]; then
	step "setup" scripts/setup.sh
fi

step "rustfmt" cargo fmt --all -- --check
# One build of every binary with the whole workspace's features, so the test build below reuses it.
step "build (all binaries)" cargo build --locked --workspace
step "clippy" cargo clippy --locked --workspace --all-targets -- -D warnings
# A real S3-compatible server (moto from PyPI, 127.0.0.1 only) for arena-artifacts' S3 store
# suite; those tests fail without the ARENA_TEST_S3_ENDPOINT this exports. (A separate
# assignment, so that `set -e` stops on a failed start.)
printf '\n==> S3 test server\n'
export ARENA_S3_STATE="${TMPDIR:-/tmp}/arena-s3-test.$$"
s3_env=$(scripts/s3-test-server.sh start)
eval "$s3_env"
trap 'scripts/s3-test-server.sh stop >/dev/null 2>&1 || true' EXIT
step "unit, property and end-to-end tests" cargo test --locked --workspace
# Benchmarks (frame_benchmarking v2) run as tests in the mock runtimes, with try-state checks.
# (The unit tests run again in this feature set; the property tests, run in full above, with
# fewer cases.)
step "pallet benchmark tests" env PROPTEST_CASES="${ARENA_BENCH_PROPTEST_CASES:-32}" \
	cargo test --locked -p pallet-subnets -p pallet-stake -p pallet-emission -p pallet-escrow -p pallet-rounds \
	--features runtime-benchmarks,try-runtime
# The runtime's benchmark wiring (`arena-node benchmark pallet`, scripts/bench-weights.sh) must
# keep compiling; a native check of that feature set (its own build units: the normal runtime
# build is not touched).
step "runtime benchmark wiring" env SKIP_WASM_BUILD=1 cargo check --locked -p arena-runtime \
	--features runtime-benchmarks

if [ -z "${ARENA_SKIP_JS:-}" ]; then
	export ARENA_NODE_BIN="$CARGO_TARGET_DIR/debug/arena-node"
	step "polkadot.js tests" bash -c 'cd tests/js && npm ci --no-audit --no-fund --loglevel=error && npm test'
fi

printf '\nall tests passed in %ss\n' "$(($(date +%s) - started))"
