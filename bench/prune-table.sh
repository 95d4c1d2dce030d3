#!/usr/bin/env bash
# Held-out perplexity of every scorer at keep ratios 0.9, 0.7, 0.5, 0.386 of the layers' parameters,
# uniform and adaptive, no recovery, for mini-vina (../shared) and the embedded stories260K.
# Writes OUT/prune-table.md and OUT/prune-table.json (`prunekit prune-table`).
#
#   bench/prune-table.sh [OUT] [extra options of `bin/prunekit prune-table --help`]
#   e.g. bench/prune-table.sh target/prune-table --samples 32 --seq-len 128 --eval-windows 16 --oracle 2x64
#        bench/prune-table.sh target/tiny --models stories260K --scorers magnitude --ratios 0.7 --eval-windows 2
#
# OMP_NUM_THREADS defaults to 1: on a small shared machine PyTorch's spinning OpenMP workers make
# the many small forwards of the oracle several times slower; export it to use more threads.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/prune-table}
shift || true
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
PRUNEKIT_JAVA_OPTS=${PRUNEKIT_JAVA_OPTS:--Xmx6g} exec bin/prunekit prune-table --out "$OUT" --root . --shared ../shared "$@"
