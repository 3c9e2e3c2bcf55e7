#!/usr/bin/env python3
"""Tabulates `bench_train compression --variant ...` output (RESULT lines, any number of files).

Usage: compression_table.py RESULTS_FILE...

Prints the update-size table (`table=bytes`, the default model) and, per miner count, the
validation loss every traced round for each arm with its cost against the `dense` arm of the
same miner count (in %), then bytes per update and the reduction vs dense fp32.

Rows are read in file order and a later row for the same arm, miner count and round replaces
an earlier one, so a rerun appended after an older run of the same arm is what the table shows.
"""
import sys

rows = []
for path in sys.argv[1:]:
    for line in open(path):
        if line.startswith("RESULT "):
            rows.append(dict(kv.split("=", 1) for kv in line.split()[1:]))

sizes = [r for r in rows if r.get("table") == "bytes"]
if sizes:
    print("| setting | params | dense fp32 bytes | update bytes | reduction | chunk / k / bits |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    seen = set()
    for r in sizes:
        key = (r.get("variant", "default"), r["k"], r["bits"], r["chunk"])
        if key in seen:
            continue
        seen.add(key)
        print(f"| {key[0]} | {r['params']} | {r['dense_fp32_bytes']} | {r['update_bytes']} | "
              f"{float(r['ratio']):.1f}x | {r['chunk']} / {r['k']} / {r['bits']} |")
    print()

losses = [r for r in rows if r.get("table") in ("loss", "loss_trace")]
for miners in sorted({r["miners"] for r in losses}, key=int):
    arms, curve, info = [], {}, {}
    for r in losses:
        if r["miners"] != miners:
            continue
        arm = r["arm"]
        if arm not in arms:
            arms.append(arm)
        rnd = int(r.get("round", r.get("rounds", 0)))
        curve.setdefault(arm, {})[rnd] = float(r["val_loss"])
        if r["table"] == "loss":
            info[arm] = r
    arms.sort(key=lambda a: (a != "dense", a))
    dense = curve.get("dense", {})
    rounds = sorted({n for a in arms for n in curve[a]})
    print(f"{miners} miners:\n")
    print("| round | " + " | ".join(arms) + " | " +
          " | ".join(f"cost {a}" for a in arms if a != "dense") + " |")
    print("| ---: | " + " | ".join("---:" for _ in arms) + " | " +
          " | ".join("---:" for a in arms if a != "dense") + " |")
    for n in rounds:
        vals = " | ".join(f"{curve[a][n]:.4f}" if n in curve[a] else "" for a in arms)
        costs = " | ".join(
            f"{(curve[a][n] - dense[n]) / dense[n] * 100:+.2f} %" if n in curve[a] and n in dense else ""
            for a in arms if a != "dense")
        print(f"| {n} | {vals} | {costs} |")
    print()
    for a in arms:
        if a in info:
            r = info[a]
            print(f"- {a}: k {r['k']} of {r['chunk']}, {r['bits']} bits, quantiser {r['quant']}, decay "
                  f"{r['decay']}, mean {r['mean']}, outer lr {r['outer_lr']} mu {r['outer_mu']}, "
                  f"{r['bytes_per_update']} bytes per update ({float(r['ratio']):.1f}x vs dense fp32), "
                  f"{r['rounds']} rounds x {r['inner']} steps, {r['tokens']} tokens, {r['seconds']} s")
    print()
