#!/usr/bin/env bash
# Training-core benchmarks (not part of CI). Prints three tables:
#   1. tokens/s of our trainer (burn Flex, CPU) vs PyTorch eager on the same model and data,
#      and the GFLOP/s of the step's matrix products in each (where the time goes);
#   2. bytes per update vs a dense fp32 delta, and the validation-loss cost of compression
#      against uncompressed updates at equal tokens;
#   3. audit cost as a fraction of a miner's round (default H and c).
#
#   scripts/bench-train.sh [CORPUS_DIR]
#
# CORPUS_DIR defaults to data/shakespeare (scripts/fetch-corpus.sh fetches it), else the play
# committed under crates/training/testdata/corpus. Environment knobs: BENCH_STEPS (throughput
# steps, 30), BENCH_ROUNDS / BENCH_INNER (loss-cost simulation, 48 × 50), BENCH_AUDIT_INNER /
# BENCH_AUDIT_SEGMENT (audit round, default H / c: 400 / 16), BENCH_PAIRS (alternating throughput
# pairs, 2), BENCH_PROFILE (cargo profile, "release"),
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
# Alternating pairs (ours, then PyTorch's), so that a slow minute of a shared machine hits
# both sides of some pair rather than one engine's only run.
pairs="${BENCH_PAIRS:-2}"
for ((pair = 1; pair <= pairs; pair++)); do
  "$bin" throughput "$corpus" --steps "$steps" | sed "s/^RESULT /RESULT pair=$pair /" | tee -a "$out/results" >&2
  "$venv/bin/python" scripts/bench/torch_bench.py "$corpus" --steps "$steps" \
    | sed "s/^RESULT /RESULT pair=$pair /" | tee -a "$out/results" >&2
done
"$bin" matmul "$corpus" | tee -a "$out/results" >&2
"$venv/bin/python" scripts/bench/torch_bench.py "$corpus" --matmul | tee -a "$out/results" >&2
rounds="${BENCH_ROUNDS:-48}"
inner="${BENCH_INNER:-50}"
"$bin" compression "$corpus" --rounds "$rounds" --inner "$inner" --trace 8 | tee -a "$out/results" >&2
# Reference: dense updates with SPEC §6.7's outer defaults (lr 0.7, momentum 0.9).
"$bin" compression "$corpus" --skip-size --only-dense --rounds "$rounds" --inner "$inner" --trace 8 \
  --dense-lr 0.7 --dense-mu 0.9 | tee -a "$out/results" >&2
"$bin" audit "$corpus" --inner "${BENCH_AUDIT_INNER:-400}" --segment "${BENCH_AUDIT_SEGMENT:-16}" | tee -a "$out/results" >&2

python3 - "$out/results" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))
thr = [r for r in rows if "tokens_per_s" in r]
print("\n### 1. Training throughput (same model, data, batch; CPU)\n")
first = thr[0]
print(f"{first['params']} parameters, batch {first['batch']} x context {first['context']}, "
      f"{first['steps']} timed steps per run; " + ", ".join(sorted({r['engine'] for r in thr})) + "\n")
print("| pair | ours (tokens/s) | PyTorch (tokens/s) | ratio |")
print("| ---: | ---: | ---: | ---: |")
ratios = []
for pair in sorted({int(r["pair"]) for r in thr}):
    ours = next(float(r["tokens_per_s"]) for r in thr if int(r["pair"]) == pair and r["engine"].startswith("arena"))
    torch = next(float(r["tokens_per_s"]) for r in thr if int(r["pair"]) == pair and r["engine"].startswith("pytorch"))
    ratios.append(ours / torch)
    print(f"| {pair} | {ours:.0f} | {torch:.0f} | {ours / torch:.2f}x |")
print(f"| all | | | min {min(ratios):.2f}x, mean {sum(ratios) / len(ratios):.2f}x |")
mm = [r for r in rows if r.get("table") == "matmul"]
ours = {r["op"]: r for r in mm if r["engine"].startswith("arena")}
theirs = {r["op"]: r for r in mm if r["engine"].startswith("pytorch")}
print("\nMatrix products of one step (the dominant cost), GFLOP/s on all cores:\n")
print("| product | batch x m x k x n | arena (burn Flex, gemm crate) | PyTorch (MKL) | ratio |")
print("| --- | --- | ---: | ---: | ---: |")
for op, r in ours.items():
    t = theirs.get(op)
    tg = float(t["gflops"]) if t else float("nan")
    print(f"| {op} | {r['batch']} x {r['m']} x {r['k']} x {r['n']} | {float(r['gflops']):.1f} | {tg:.1f} | {float(r['gflops']) / tg:.2f}x |")
b = next(r for r in rows if r.get("table") == "bytes")
print("\n### 2. Update size and the cost of compression\n")
print("| params | dense fp32 bytes | update bytes | reduction | chunk / k / bits |")
print("| ---: | ---: | ---: | ---: | --- |")
print(f"| {b['params']} | {b['dense_fp32_bytes']} | {b['update_bytes']} | {float(b['ratio']):.0f}x | {b['chunk']} / {b['k']} / {b['bits']} |")
final = [r for r in rows if r.get("table") == "loss"]
trace = [r for r in rows if r.get("table") == "loss_trace"]
def key(r):
    return (r["arm"], r["outer_lr"], r["outer_mu"])
arms = []
for r in final:
    if key(r) not in arms:
        arms.append(key(r))
curve = {k: {} for k in arms}
for r in trace:
    curve.setdefault(key(r), {})[int(r["round"])] = float(r["val_loss"])
for r in final:
    curve[key(r)][int(r["rounds"])] = float(r["val_loss"])
d = next(r for r in final if r["arm"] == "dense")
c = next(r for r in final if r["arm"] == "compressed")
dk, ck = key(d), key(c)
print()
print(f"Validation loss after each 8 rounds ({d['inner']} inner steps each, {d['params']}-parameter model, "
      f"{int(d['tokens']) // int(d['rounds'])} tokens per round; compressed: {c['k']} of {b['chunk']}, {c['bits']} bits, "
      f"feedback decay {c['decay']}):\n")
print("| round | tokens | " + " | ".join(f"{a} (outer lr {lr}, mu {mu})" for a, lr, mu in arms) + " | cost of compression |")
print("| ---: | ---: | " + " | ".join("---:" for _ in arms) + " | ---: |")
per_round = int(d["tokens"]) // int(d["rounds"])
for rnd in sorted(curve[dk]):
    vals = " | ".join(f"{curve[k].get(rnd, float('nan')):.4f}" for k in arms)
    cost = (curve[ck][rnd] - curve[dk][rnd]) / curve[dk][rnd] * 100
    print(f"| {rnd} | {rnd * per_round} | {vals} | {cost:+.2f} % |")
print(f"\nbytes sent over the run: dense {d['bytes_sent']}, compressed {c['bytes_sent']}")
print(f"loss cost of compression at the end: {(float(c['val_loss']) - float(d['val_loss'])) / float(d['val_loss']) * 100:+.2f} % "
      f"against dense updates with the same outer step (goal <= 2 %)")
a = next(r for r in rows if r.get("table") == "audit")
print("\n### 3. Audit cost (one segment re-run + update check vs one training round)\n")
print("| H | c | miner round (s) | audit (s) | fraction | audit passed |")
print("| ---: | ---: | ---: | ---: | ---: | --- |")
print(f"| {a['inner']} | {a['segment']} | {a['train_seconds']} | {a['audit_seconds']} | {float(a['fraction'])*100:.2f} % | {a['segment_pass']}/{a['update_pass']} |")
PY
