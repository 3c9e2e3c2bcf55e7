#!/usr/bin/env bash
# Installs what building, running and testing Arena needs on a fresh Debian/Ubuntu machine.
# Idempotent: run it as often as you like. Needs root (or sudo) for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# --- system packages -------------------------------------------------------------
APT_PACKAGES=(clang libclang-dev protobuf-compiler pkg-config libssl-dev make curl ca-certificates python3 python3-venv)
missing=()
for p in "${APT_PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt: installing ${missing[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
	log "apt: all packages present"
fi

# --- Rust ------------------------------------------------------------------------
if ! command -v rustup >/dev/null 2>&1; then
	echo "rustup is required (https://rustup.rs); install it and re-run." >&2
	exit 1
fi
installed_targets=$(rustup target list --installed)
for t in wasm32v1-none wasm32-unknown-unknown; do
	if ! grep -qx "$t" <<<"$installed_targets"; then
		log "rustup: adding target $t"
		rustup target add "$t"
	fi
done
if ! rustup component list --installed | grep -q '^rust-src'; then
	log "rustup: adding rust-src"
	rustup component add rust-src
fi

# --- Node.js (for the polkadot.js test) --------------------------------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	log "apt: installing nodejs and npm"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi

# --- training corpus ----------------------------------------------------------------
if [ -x scripts/fetch-corpus.sh ]; then
	scripts/fetch-corpus.sh
fi

log "done"
