#!/usr/bin/env bash
# Training-core benchmarks (not part of CI). Prints three tables:
#   1. tokens/s of our trainer (burn Flex, CPU) vs PyTorch eager on the same model and data;
#   2. bytes per update vs a dense fp32 delta, and the validation-loss cost of compression
#      against uncompressed updates at equal tokens;
#   3. audit cost as a fraction of a miner's round (default H and c).
#
#   scripts/bench-train.sh [CORPUS_DIR]
#
# CORPUS_DIR defaults to data/shakespeare (scripts/fetch-corpus.sh fetches it), else the play
# committed under crates/training/testdata/corpus. Environment knobs: BENCH_STEPS (throughput
# steps, 30), BENCH_ROUNDS / BENCH_INNER (loss-cost simulation, 8 × 50), BENCH_AUDIT_INNER /
# BENCH_AUDIT_SEGMENT (audit round, default H / c: 400 / 16), BENCH_PROFILE (cargo profile, "release"),
# BENCH_VENV (PyTorch venv, ~/.cache/arena-bench-venv), BENCH_NO_BUILD=1 (use the built binary).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
corpus="${1:-$repo_root/data/shakespeare}"
if [[ ! -d "$corpus" ]]; then
  corpus="$repo_root/crates/training/testdata/corpus"
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arena-target}"
export SKIP_WASM_BUILD=1
profile="${BENCH_PROFILE:-release}"
steps="${BENCH_STEPS:-30}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

venv="${BENCH_VENV:-$HOME/.cache/arena-bench-venv}"
bash scripts/bench/setup-venv.sh "$venv" >&2

if [[ -z "${BENCH_NO_BUILD:-}" ]]; then
  cargo build --quiet --profile "$profile" -p arena-training --example bench_train >&2
fi
bin="$CARGO_TARGET_DIR/$([[ "$profile" == dev ]] && echo debug || echo "$profile")/examples/bench_train"

echo "corpus: $corpus   machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" >&2
"$bin" throughput "$corpus" --steps "$steps" | tee -a "$out/results" >&2
"$venv/bin/python" scripts/bench/torch_bench.py "$corpus" --steps "$steps" | tee -a "$out/results" >&2
"$bin" compression "$corpus" --rounds "${BENCH_ROUNDS:-8}" --inner "${BENCH_INNER:-50}" | tee -a "$out/results" >&2
"$bin" audit "$corpus" --inner "${BENCH_AUDIT_INNER:-400}" --segment "${BENCH_AUDIT_SEGMENT:-16}" | tee -a "$out/results" >&2

python3 - "$out/results" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
thr = [r for r in rows if "engine" in r]
print("\n### 1. Training throughput (same model, data, batch; CPU)\n")
print("| engine | params | batch x context | steps | tokens/s | vs PyTorch |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
torch_tps = next((float(r["tokens_per_s"]) for r in thr if r["engine"].startswith("pytorch")), None)
for r in thr:
    ratio = f"{float(r['tokens_per_s']) / torch_tps:.2f}x" if torch_tps else "n/a"
    print(f"| {r['engine']} | {r['params']} | {r['batch']} x {r['context']} | {r['steps']} | {float(r['tokens_per_s']):.0f} | {ratio} |")
b = next(r for r in rows if r.get("table") == "bytes")
print("\n### 2. Update size and the cost of compression\n")
print("| params | dense fp32 bytes | update bytes | reduction | chunk / k / bits |")
print("| ---: | ---: | ---: | ---: | --- |")
print(f"| {b['params']} | {b['dense_fp32_bytes']} | {b['update_bytes']} | {float(b['ratio']):.0f}x | {b['chunk']} / {b['k']} / {b['bits']} |")
loss = {r["arm"]: r for r in rows if r.get("table") == "loss"}
d, c = loss["dense"], loss["compressed"]
cost = (float(c["val_loss"]) - float(d["val_loss"])) / float(d["val_loss"]) * 100
print()
print("| updates | rounds x inner steps | tokens | params | validation loss | bytes sent |")
print("| --- | --- | ---: | ---: | ---: | ---: |")
for r in (d, c):
    print(f"| {r['arm']} | {r['rounds']} x {r['inner']} | {r['tokens']} | {r['params']} | {float(r['val_loss']):.4f} | {r['bytes_sent']} |")
print(f"\nloss cost of compression: {cost:+.2f} % (goal <= 2 %)")
a = next(r for r in rows if r.get("table") == "audit")
print("\n### 3. Audit cost (one segment re-run + update check vs one training round)\n")
print("| H | c | miner round (s) | audit (s) | fraction | audit passed |")
print("| ---: | ---: | ---: | ---: | ---: | --- |")
print(f"| {a['inner']} | {a['segment']} | {a['train_seconds']} | {a['audit_seconds']} | {float(a['fraction'])*100:.2f} % | {a['segment_pass']}/{a['update_pass']} |")
PY
