#!/usr/bin/env bash
# Runs a local Arena: builds the node, starts a development chain on ws://127.0.0.1:9944, creates
# a subnet with a validator and three miners (tests/js/demo/emission-demo.js, @polkadot/api) and
# prints every epoch's emission payout as it happens.
#
#   scripts/demo.sh              run until Ctrl-C
#   scripts/demo.sh --epochs 3   stop after 3 epochs that paid miners
#
# Connect polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944
# (The miner and validator programs replace the scripted validator as their issues land.)
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=0
while [ $# -gt 0 ]; do
	case "$1" in
	--epochs) epochs=$2; shift 2 ;;
	*) echo "usage: $0 [--epochs N]" >&2; exit 2 ;;
	esac
done

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arena-target}"
[ -n "${ARENA_SKIP_SETUP:-}" ] || scripts/setup.sh
echo "==> building arena-node (first build: 30-50 min on 2 cores)"
cargo build --locked --workspace
node_bin="$CARGO_TARGET_DIR/debug/arena-node"

workdir=$(mktemp -d)
log="$workdir/node.log"
"$node_bin" --dev --tmp --rpc-port 9944 --dev-block-time 1000 >"$log" 2>&1 &
node_pid=$!
trap 'kill $node_pid 2>/dev/null || true; wait $node_pid 2>/dev/null || true; rm -rf "$workdir"' EXIT INT TERM

rpc() {
	curl -s -H 'Content-Type: application/json' \
		-d "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"$1\",\"params\":${2:-[]}}" http://127.0.0.1:9944
}

echo "==> waiting for the node (log: $log)"
for _ in $(seq 1 240); do
	rpc system_health >/dev/null 2>&1 && break
	kill -0 $node_pid 2>/dev/null || { echo "node exited:"; tail -40 "$log"; exit 1; }
	sleep 0.5
done
rpc system_health | grep -q result || { echo "node did not answer"; tail -40 "$log"; exit 1; }

echo "==> Arena dev chain running at ws://127.0.0.1:9944"
echo "    polkadot.js Apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944"
echo "==> subnet, validator and miners (tests/js/demo/emission-demo.js)"
(cd tests/js && [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error)
(cd tests/js && node demo/emission-demo.js ws://127.0.0.1:9944 "$epochs")
echo "==> done"
