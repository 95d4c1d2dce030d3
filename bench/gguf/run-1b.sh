#!/usr/bin/env bash
# llama.cpp CPU speed at the 1B synthetic shape (mha-1.26b: hidden 2048, 22 layers, 16 heads, FFN 5632,
# vocab 32000; seeded N(0, 0.02²) weights from `prunekit synth`, so only speed is meaningful): dense
# vs cut to 0.386 of its layers' parameters (Wanda, uniform: a stock 'llama' GGUF), F16 and Q8_0.
# Prompt tokens/s (128 ids) and decode tokens/s at batch 1 (64 steps), median and best of RUNS (3)
# after a warm-up, THREADS (2) threads. Needs ~10 GB free in TMPDIR, node-llama-cpp@3.21.1 in
# PRUNEKIT_NODE_MODULES, and ../shared/tokenizers/llama2-tokenizer.json (read there, never copied
# into the repo). Writes bench/gguf/result-1b.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
tok="$home/../shared/tokenizers/llama2-tokenizer.json"
[[ -f "$tok" ]] || { echo "run-1b.sh: $tok is missing (it comes with ../shared)" >&2; exit 2; }
free_kb=$(df -Pk "$tmp" | awk 'NR == 2 {print $4}')
(( free_kb > 10 * 1024 * 1024 )) || { echo "run-1b.sh: needs ~10 GB free in $tmp, has $((free_kb / 1024 / 1024)) GB" >&2; exit 2; }
"$pk" synth --like mha-1.26b --dtype bf16 --seed 0 --tokenizer "$tok" --out "$tmp/dense" >&2
"$pk" prune "$tmp/dense" --scorer wanda --calib "$home/data/vi/legal-valid.txt" --samples 16 --seq-len 128 \
    --keep-ratio 0.386 --scope layers --uniform --out "$tmp/uniform" >&2
gguf_bench mha-1.26b "${THREADS:-2}" "${RUNS:-3}" "$home/bench/gguf/result-1b.json" dense="$tmp/dense" uniform="$tmp/uniform/pruned"
