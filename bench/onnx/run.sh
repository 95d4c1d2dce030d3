#!/usr/bin/env bash
# ONNX Runtime CPU benchmark of a synthetic 1B-shaped LLaMA (hidden 2048, FFN 5632, 16 heads,
# 22 layers, vocab 32000, random weights: speed does not depend on values) against the same model
# cut to 0.386 of its layers' parameters (6 heads, FFN 2208 in every layer: 0.3865 of the layers).
# Per-token linear FLOPs dense / pruned = 2.38. Writes bench/onnx/FLAVOUR.json (standard, optimized).
# Needs ~12 GB of free disk for the two temporary exports and ~6 GB of memory.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for flavour in ${FLAVOURS:-standard optimized}; do
  "$home/bin/prunekit" bench --synthetic 1b --synthetic 1b:hidden=2048,heads=6,kv-heads=6,ffn=2208,layers=22 \
    --flavour "$flavour" --prefill 128,512 --decode-batch 1,4 --decode-steps 16 --runs 2 --threads 2 \
    --out "$home/bench/onnx/$flavour.json"
done
