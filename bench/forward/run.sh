#!/usr/bin/env bash
# Forward-pass benchmark: prefill tokens/s and GFLOP/s of a synthetic LLaMA-shaped model against the
# same run's DJL matmul rate (`prunekit bench-forward`). Options (optional) are the command's:
# --hidden --ffn --layers --heads --tokens --repeats (see `bin/prunekit bench-forward --help`).
# Writes bench/forward/result.json; the last line printed is that JSON.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$home/bench/forward/result.json"
PRUNEKIT_JAVA_OPTS=${PRUNEKIT_JAVA_OPTS:--Xmx8g} "$home/bin/prunekit" bench-forward "$@" | tail -n 1 > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
