#!/usr/bin/env bash
# Creates the benchmark's Python venv with CPU PyTorch from PyPI (idempotent).
#   scripts/bench/setup-venv.sh [VENV_DIR]      (default: ~/.cache/arena-bench-venv)
set -euo pipefail
venv="${1:-$HOME/.cache/arena-bench-venv}"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
  # Plain PyPI: the CPU/CUDA wheel index is not reachable here; PyPI's Linux wheel runs on CPU.
  "$venv/bin/pip" install --quiet torch numpy
fi
"$venv/bin/python" -c "import torch; print('torch', torch.__version__)"
