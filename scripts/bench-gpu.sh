#!/usr/bin/env bash
# GPU benchmarks of the training core (not part of CI; needs a GPU with a Vulkan driver).
# Prints two markdown tables:
#   1. training tokens/s of burn Flex (CPU, all cores) vs burn wgpu (GPU) on the default model
#      and on a ~10x larger one, with PyTorch eager (CUDA, and CPU for the default model) as
#      reference lines where a python3 with torch is found;
#   2. honest cross-backend audit errors on the default model: a miner trains one round of
#      BENCH_SEGMENTS segments on wgpu and a Flex validator re-runs every segment (tolerance
#      mode), the relative L2 errors of the change of θ, m and v per segment, the largest,
#      and 10x the largest (the ε calibration of issue 11).
#
#   scripts/bench-gpu.sh [CORPUS_DIR]
#
# CORPUS_DIR defaults to data/shakespeare (scripts/fetch-corpus.sh), else the play under
# crates/training/testdata/corpus. Environment knobs:
#   BENCH_BIN            a prebuilt `bench_train` example built with `--features wgpu` (on a
#                        machine without Rust: build it elsewhere with
#                        `cargo build --release -p arena-training --features wgpu --example bench_train`)
#   BENCH_NO_BUILD=1     do not run cargo (implied by BENCH_BIN)
#   BENCH_BIN_VULKAN     optional second build with `--features vulkan` (SPIR-V shaders instead
#                        of WGSL): adds `arena-burn-vulkan` throughput lines, and with
#                        BENCH_VULKAN_SEGMENTS > 0 a cross-backend round with a Vulkan miner
#   BENCH_OUT            folder for the logs and tables.md (default: a temporary folder)
#   BENCH_PYTHON         python with torch (default python3; PyTorch lines are skipped without it)
#   BENCH_STEPS          timed steps, default model (20); BENCH_LARGE_STEPS, larger model (10)
#   BENCH_LARGE          "layers width heads" of the larger model ("10 512 8": 9.6x the params)
#   BENCH_SEGMENTS       segments of the cross-backend round (20)
#   BENCH_REVERSE_SEGMENTS  segments of a second round, Flex miner and wgpu validator (0: skip)
#   BENCH_STAGE_TIMEOUT  seconds each stage may run before it is stopped (300)
#   BENCH_DEADLINE       epoch second by which every stage must have ended (for a leased
#                        machine): later stages get what is left, and none starts with < 10 s
set -uo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
corpus="${1:-$repo_root/data/shakespeare}"
if [[ ! -d "$corpus" ]]; then
  corpus="$repo_root/crates/training/testdata/corpus"
fi
out="${BENCH_OUT:-$(mktemp -d)}"
mkdir -p "$out"
py="${BENCH_PYTHON:-python3}"
steps="${BENCH_STEPS:-20}"
large_steps="${BENCH_LARGE_STEPS:-10}"
read -r large_layers large_width large_heads <<<"${BENCH_LARGE:-10 512 8}"
segments="${BENCH_SEGMENTS:-20}"
reverse_segments="${BENCH_REVERSE_SEGMENTS:-0}"
bin_vulkan="${BENCH_BIN_VULKAN:-}"
vulkan_segments="${BENCH_VULKAN_SEGMENTS:-0}"
stage_timeout="${BENCH_STAGE_TIMEOUT:-300}"

bin="${BENCH_BIN:-}"
if [[ -z "$bin" ]]; then
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/arena-target}"
  if [[ -z "${BENCH_NO_BUILD:-}" ]]; then
    (cd "$repo_root" && cargo build --quiet --release -p arena-training --features wgpu \
      --example bench_train) >&2 || exit 1
  fi
  bin="$CARGO_TARGET_DIR/release/examples/bench_train"
fi

results="$out/results.log"
: >"$results"
# One stage: its output goes to $out/<name>.log and its RESULT/INFO lines to results.log; a
# stage that fails or times out is reported and the others still run.
stage() {
  local name="$1"
  shift
  local t0=$SECONDS limit="$stage_timeout"
  if [[ -n "${BENCH_DEADLINE:-}" ]]; then
    local left=$((BENCH_DEADLINE - $(date +%s)))
    if ((left < 10)); then
      echo "STAGE_FAILED $name skipped:deadline" >>"$results"
      echo "== $name: skipped, deadline" >&2
      return
    fi
    ((left < limit)) && limit=$left
  fi
  echo "== $name (limit ${limit} s): $*" >&2
  timeout --kill-after=5 "$limit" "$@" >"$out/$name.log" 2>&1
  local rc=$?
  grep -E '^(RESULT|INFO) ' "$out/$name.log" | sed "s/^/$name /" >>"$results"
  echo "   $name: rc=$rc, $((SECONDS - t0)) s" >&2
  [[ $rc -eq 0 ]] || { echo "STAGE_FAILED $name rc=$rc" >>"$results"; tail -5 "$out/$name.log" >&2; }
}

{
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "corpus: $corpus"
} | tee "$out/machine.txt" >&2

has_torch_cuda=0
if "$py" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  has_torch_cuda=1
fi
has_torch=0
"$py" -c 'import torch' 2>/dev/null && has_torch=1
torch_bench="$repo_root/scripts/bench/torch_bench.py"
large=(--layers "$large_layers" --width "$large_width" --heads "$large_heads")

# Cheap lines first, then the cross-backend round (issue 11's calibration), then the rest, so
# that a deadline cuts what matters least.
stage flex-default "$bin" throughput "$corpus" --device flex --steps "$steps"
stage wgpu-default "$bin" throughput "$corpus" --device wgpu --steps "$steps"
if [[ -n "$bin_vulkan" ]]; then
  stage vulkan-default "$bin_vulkan" throughput "$corpus" --device vulkan --steps "$steps"
fi
stage xbackend "$bin" crossbackend "$corpus" --miner wgpu --segments "$segments"
if [[ $has_torch_cuda == 1 ]]; then
  stage torch-cuda-default "$py" "$torch_bench" "$corpus" --device cuda --steps "$steps"
fi
if [[ $has_torch == 1 ]]; then
  stage torch-cpu-default "$py" "$torch_bench" "$corpus" --device cpu --steps "$steps"
fi
stage flex-large "$bin" throughput "$corpus" --device flex --steps "$large_steps" "${large[@]}"
stage wgpu-large "$bin" throughput "$corpus" --device wgpu --steps "$large_steps" "${large[@]}"
if [[ -n "$bin_vulkan" ]]; then
  stage vulkan-large "$bin_vulkan" throughput "$corpus" --device vulkan --steps "$large_steps" "${large[@]}"
fi
if [[ $has_torch_cuda == 1 ]]; then
  stage torch-cuda-large "$py" "$torch_bench" "$corpus" --device cuda --steps "$large_steps" "${large[@]}"
fi
if [[ "$reverse_segments" -gt 0 ]]; then
  stage xbackend-reverse "$bin" crossbackend "$corpus" --miner flex --segments "$reverse_segments"
fi
if [[ -n "$bin_vulkan" && "$vulkan_segments" -gt 0 ]]; then
  stage xbackend-vulkan "$bin_vulkan" crossbackend "$corpus" --miner vulkan --segments "$vulkan_segments"
fi

python3 - "$results" "$out/machine.txt" <<'PY' | tee "$out/tables.md"
import sys

rows, info, failed = [], [], []
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) >= 2 and parts[0] == "STAGE_FAILED":
        failed.append(" ".join(parts[1:]))
        continue
    if len(parts) < 2:
        continue
    stage, kind, kvs = parts[0], parts[1], parts[2:]
    d = {"stage": stage}
    for kv in kvs:
        if "=" in kv:
            k, v = kv.split("=", 1)
            d[k] = v
    (rows if kind == "RESULT" else info).append(d)

print("; ".join(l.strip() for l in open(sys.argv[2]) if l.strip()))
seen = set()
for line in open(sys.argv[1]):
    parts = line.split(" ", 2)
    if len(parts) == 3 and parts[1] == "INFO" and "fingerprint=" in line and " device=flex " not in line:
        fp = line.split("fingerprint=", 1)[1].strip()
        if fp not in seen:
            seen.add(fp)
            print(f"GPU backend ({parts[0]}): {fp}")

thr = [r for r in rows if "tokens_per_s" in r]
print("\n### Training throughput: burn Flex (CPU) vs burn wgpu (GPU)\n")
print("| model | params | batch x context | engine | steps | tokens/s | vs Flex |")
print("| --- | ---: | ---: | --- | ---: | ---: | ---: |")
flex = {}
for r in thr:
    if r["engine"] == "arena-burn-flex":
        flex[r["params"]] = float(r["tokens_per_s"])
for r in thr:
    model = f"{r.get('layers', '?')} x {r.get('width', '?')}"
    base = flex.get(r["params"])
    vs = f"{float(r['tokens_per_s']) / base:.2f}x" if base else "n/a"
    print(f"| {model} | {r['params']} | {r['batch']} x {r['context']} | {r['engine']} | {r['steps']} | {float(r['tokens_per_s']):.0f} | {vs} |")

seg = [r for r in rows if r.get("table") == "xbackend"]
worst = [r for r in rows if r.get("table") == "xbackend_worst"]
for direction in sorted({(r["miner"], r["validator"]) for r in seg}):
    mine = [r for r in seg if (r["miner"], r["validator"]) == direction]
    print(f"\n### Honest cross-backend errors, default model: {direction[0]} miner, {direction[1]} validator\n")
    print("| segment | θ change | m change | v change | passed (default ε) | validator s |")
    print("| ---: | ---: | ---: | ---: | --- | ---: |")
    for r in mine:
        print(f"| {r['segment']} | {float(r['params']):.2e} | {float(r['adam_m']):.2e} | {float(r['adam_v']):.2e} | {r['pass']} | {r['seconds']} |")
    w = [max(float(r[q]) for r in mine) for q in ("params", "adam_m", "adam_v")]
    at = [max(mine, key=lambda r: float(r[q]))["segment"] for q in ("params", "adam_m", "adam_v")]
    print(f"| **largest** ({len(mine)} segments) | {w[0]:.2e} (seg {at[0]}) | {w[1]:.2e} (seg {at[1]}) | {w[2]:.2e} (seg {at[2]}) | | |")
    later = [r for r in mine if r["segment"] != "0"]
    if later:
        wl = max(max(float(r[q]) for q in ("params", "adam_m", "adam_v")) for r in later)
        print(f"\nlargest error over all quantities: {max(w):.2e}; 10x that: {10 * max(w):.2e}; "
              f"largest without segment 0 (fresh moments): {wl:.2e}")
    else:
        print(f"\nlargest error over all quantities: {max(w):.2e}; 10x that: {10 * max(w):.2e}")
    done = [r for r in worst if (r["miner"], r["validator"]) == direction]
    if not done:
        print("(round cut short: the table holds the segments measured before the stage stopped)")
if failed:
    print("\nFailed or stopped stages: " + ", ".join(failed))
PY
echo "logs: $out" >&2
