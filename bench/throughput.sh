#!/usr/bin/env bash
# Training throughput, one thread, side by side in one run (the machine is shared: compare ratios):
# plain PyTorch (bench/pytorch_mlp.py), NeuralRate's bare DJL loop, and MlpRegressor in local[1],
# for the seed's shape (20-32-1) and the default shape (20-64-32-1). Repeats each pair REPEATS times
# (default 3) and prints every run; BENCHMARKS.md reports the medians.
#
#   bench/throughput.sh [rows=1000000] [repeats=3]   (each run alternates bare loop and MlpRegressor 5 times)
# Needs python3 with torch (Debian: apt-get install python3-torch) for the PyTorch column.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${1:-1000000}"
REPEATS="${2:-3}"
PYTHON="${PYTHON:-/usr/bin/python3}"   # Debian's python3 with python3-torch
cd "$HERE"
for hidden in 32 64,32; do
  for ((r = 1; r <= REPEATS; r++)); do
    "$PYTHON" bench/pytorch_mlp.py --rows "$ROWS" --hidden "$hidden" | grep '^PYTORCH'
    OMP_NUM_THREADS=1 ./submit.sh --master 'local[1]' --driver-memory 3g throughput --rows "$ROWS" \
      --hidden "$hidden" 2>/dev/null | grep '^THROUGHPUT'
  done
done
