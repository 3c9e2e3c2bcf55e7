#!/usr/bin/env bash
# A real S3-compatible server for the artifact store's tests: moto's server (PyPI `moto[server]`,
# pinned below), installed into its own virtualenv on first use, listening on 127.0.0.1 only.
#
#   eval "$(scripts/s3-test-server.sh start)"   # install if missing, start, create the bucket,
#                                               # print `export ARENA_TEST_S3_ENDPOINT=…` lines
#   scripts/s3-test-server.sh env               # print the exports of the running server
#   scripts/s3-test-server.sh stop              # stop the server this script started
#
# With ARENA_TEST_S3_ENDPOINT set, `cargo test -p arena-artifacts` runs the S3 store suite
# against it (without it, and without ARENA_SKIP_S3_TESTS=1, that suite fails).
#
# Environment:
#   ARENA_S3_VENV        virtualenv for moto (default: ~/.cache/arena-moto)
#   ARENA_S3_STATE       pid/port/log directory (default: ~/.cache/arena-s3-test)
#   ARENA_TEST_S3_BUCKET bucket created at start (default: arena-test)
set -euo pipefail

MOTO_VERSION=5.2.5
VENV=${ARENA_S3_VENV:-$HOME/.cache/arena-moto}
STATE=${ARENA_S3_STATE:-$HOME/.cache/arena-s3-test}
BUCKET=${ARENA_TEST_S3_BUCKET:-arena-test}

log() { printf 's3-test-server: %s\n' "$*" >&2; }

install() {
	if [ -x "$VENV/bin/moto_server" ] &&
		[ "$("$VENV/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null)" = "$MOTO_VERSION" ]; then
		return
	fi
	log "installing moto[server]==$MOTO_VERSION into $VENV"
	if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
		log "python3 cannot create virtualenvs: install python3-venv (apt-get install python3-venv)"
		exit 1
	fi
	python3 -m venv "$VENV" >&2
	"$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
}

running() {
	[ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null
}

print_env() {
	local endpoint
	endpoint="http://127.0.0.1:$(cat "$STATE/port")"
	printf 'export ARENA_TEST_S3_ENDPOINT=%s\n' "$endpoint"
	printf 'export ARENA_TEST_S3_BUCKET=%s\n' "$BUCKET"
}

start() {
	mkdir -p "$STATE"
	if running; then
		log "already running (pid $(cat "$STATE/pid"))"
		print_env
		return
	fi
	install
	local port
	port=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# setsid: the server outlives this script (and a CI step's process group) until `stop`.
	setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$STATE/log" 2>&1 </dev/null &
	echo $! >"$STATE/pid"
	echo "$port" >"$STATE/port"
	local endpoint="http://127.0.0.1:$port"
	for _ in $(seq 1 100); do
		if curl -fsS -o /dev/null "$endpoint/moto-api/" 2>/dev/null; then
			break
		fi
		if ! running; then
			log "moto_server exited; its log:"
			cat "$STATE/log" >&2
			exit 1
		fi
		sleep 0.1
	done
	# moto accepts unsigned requests: create the test bucket (idempotent for its owner).
	curl -fsS -o /dev/null -X PUT "$endpoint/$BUCKET" ||
		{ log "cannot create bucket $BUCKET at $endpoint"; exit 1; }
	log "moto $MOTO_VERSION on $endpoint (pid $(cat "$STATE/pid")), bucket $BUCKET"
	print_env
}

stop() {
	if running; then
		kill "$(cat "$STATE/pid")"
		log "stopped pid $(cat "$STATE/pid")"
	fi
	rm -f "$STATE/pid" "$STATE/port"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
env)
	running || { log "not running"; exit 1; }
	print_env
	;;
*)
	echo "usage: $0 start|stop|env" >&2
	exit 2
	;;
esac
