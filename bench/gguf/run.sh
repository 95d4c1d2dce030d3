#!/usr/bin/env bash
# llama.cpp CPU speed of mini-vina (models/mini-vina) dense and pruned, as GGUF files written by
# prunekit: dense; cut to 0.5 of its layers' parameters by Wanda, uniform (a stock 'llama' GGUF)
# and per-layer (a 'deci' GGUF); each in F16 and Q8_0. Prompt tokens/s (one batch of 128 ids) and
# decode tokens/s at batch 1 (64 steps), median and best of 9 runs, 1 thread, beside the per-token linear
# FLOPs. Writes bench/gguf/result.json. Needs node-llama-cpp@3.21.1 in PRUNEKIT_NODE_MODULES
# (default ~/.cache/prunekit/node/node_modules; .ci/run installs it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
vina="$home/models/mini-vina"
calib=(--calib "$home/data/vi/legal-valid.txt" --samples 16 --seq-len 128)
"$pk" prune "$vina" --scorer wanda "${calib[@]}" --keep-ratio 0.5 --scope layers --uniform --out "$tmp/uniform" >&2
"$pk" prune "$vina" --scorer wanda "${calib[@]}" --keep-ratio 0.5 --scope layers --out "$tmp/adaptive" >&2
gguf_bench mini-vina "${THREADS:-1}" "${RUNS:-9}" "$home/bench/gguf/result.json" \
  dense="$vina" uniform="$tmp/uniform/pruned" adaptive="$tmp/adaptive/pruned"
