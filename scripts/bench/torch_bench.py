"""PyTorch eager baseline for scripts/bench-train.sh.

The same byte-level causal transformer as crates/training/src/model.rs (pre-norm GPT: token +
position embeddings, LN -> fused qkv Linear -> causal softmax attention -> out Linear, LN ->
Linear(4d) -> GELU(erf) -> Linear(d), final LN, head Linear with bias), the same default
dimensions (4 layers, width 256, 4 heads, context 128, batch 16), AdamW (lr 1e-3,
betas (0.9, 0.95), eps 1e-8, weight decay 0.1) and the same corpus directory (*.txt files, last
10 % of each held out). Eager mode, no torch.compile. Prints one RESULT line.
`--device cuda` runs the same step on a CUDA GPU (fp32, TF32 off: PyTorch's default for
matmuls), as the reference line of scripts/bench-gpu.sh.
"""

import argparse
import math
import os
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h, ratio):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d, eps=1e-5)
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d, eps=1e-5)
        self.fc = nn.Linear(d, ratio * d)
        self.proj = nn.Linear(ratio * d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        hd = d // self.h
        q = q.view(b, t, self.h, hd).transpose(1, 2)
        k = k.view(b, t, self.h, hd).transpose(1, 2)
        v = v.view(b, t, self.h, hd).transpose(1, 2)
        att = (q @ k.transpose(2, 3)) * (1.0 / math.sqrt(hd)) + mask
        y = F.softmax(att, dim=-1) @ v
        x = x + self.out(y.transpose(1, 2).reshape(b, t, d))
        return x + self.proj(F.gelu(self.fc(self.ln2(x))))


class Model(nn.Module):
    def __init__(self, layers, d, h, ctx, ratio=4, vocab=256):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(ctx, d) * 0.02)
        self.blocks = nn.ModuleList([Block(d, h, ratio) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(d, eps=1e-5)
        self.head = nn.Linear(d, vocab)
        nn.init.normal_(self.tok.weight, std=0.02)
        mask = torch.triu(torch.full((ctx, ctx), -1e9), diagonal=1)
        self.register_buffer("mask", mask.view(1, 1, ctx, ctx))

    def forward(self, idx, targets):
        b, t = idx.shape
        x = self.tok(idx) + self.pos[:t]
        for blk in self.blocks:
            x = blk(x, self.mask[:, :, :t, :t])
        logits = self.head(self.ln_f(x))
        return F.cross_entropy(logits.view(b * t, -1), targets.view(b * t))


def load_train(corpus_dir, val_fraction=0.1):
    files = sorted(p for p in Path(corpus_dir).rglob("*.txt") if p.is_file())
    out = bytearray()
    for p in files:
        data = p.read_bytes()
        n_val = int(math.floor(len(data) * val_fraction))
        out += data[: len(data) - n_val]
    return torch.tensor(list(out), dtype=torch.long)


def matmuls(args, reps=30):
    """GFLOP/s of the same products as `bench_train matmul` (one RESULT line each)."""
    bt, d, t = args.batch * args.context, args.width, args.context
    f, hd, bh = 4 * d, d // args.heads, args.batch * args.heads
    shapes = [
        ("qkv", 1, bt, d, 3 * d), ("attn_out", 1, bt, d, d), ("mlp_fc", 1, bt, d, f),
        ("mlp_proj", 1, bt, f, d), ("head", 1, bt, d, 256), ("mlp_fc_weight_grad", 1, d, bt, f),
        ("scores", bh, t, hd, t), ("scores_x_v", bh, t, t, hd),
    ]
    for name, b, m, k, n in shapes:
        a, w = torch.randn(b, m, k), torch.randn(b, k, n)
        for _ in range(3):
            a @ w
        t0 = time.perf_counter()
        for _ in range(reps):
            a @ w
        secs = (time.perf_counter() - t0) / reps
        print(
            f"RESULT table=matmul engine=pytorch-{torch.__version__} op={name} batch={b} "
            f"m={m} k={k} n={n} gflops={2 * b * m * k * n / secs / 1e9:.1f}"
        )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--context", type=int, default=128)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU reference line")
    ap.add_argument("--matmul", action="store_true", help="time the step's matrix products instead")
    args = ap.parse_args()
    if args.matmul:
        torch.set_num_threads(os.cpu_count() or 1)
        return matmuls(args)

    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 1)
    data = load_train(args.corpus)
    dev = torch.device(args.device)
    model = Model(args.layers, args.width, args.heads, args.context).to(dev)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-3, betas=(0.9, 0.95), eps=1e-8,
    )
    gen = torch.Generator().manual_seed(1)
    t_ctx = args.context

    def step():
        offs = torch.randint(0, len(data) - t_ctx - 1, (args.batch,), generator=gen)
        idx = torch.stack([data[o : o + t_ctx] for o in offs])
        tgt = torch.stack([data[o + 1 : o + t_ctx + 1] for o in offs])
        idx, tgt = idx.to(dev, non_blocking=True), tgt.to(dev, non_blocking=True)
        loss = model(idx, tgt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    last = 0.0
    for _ in range(args.steps):
        last = step()
    secs = time.perf_counter() - t0
    n_params = sum(p.numel() for p in model.parameters())
    tokens = args.steps * args.batch * args.context
    engine = f"pytorch-{torch.__version__}-eager" + ("" if dev.type == "cpu" else f"-{dev.type}")
    print(
        f"RESULT engine={engine} steps={args.steps} batch={args.batch} "
        f"context={args.context} layers={args.layers} width={args.width} params={n_params} seconds={secs:.3f} "
        f"tokens_per_s={tokens / secs:.1f} last_loss={last:.4f} threads={torch.get_num_threads()}"
    )


if __name__ == "__main__":
    main()
