#!/usr/bin/env bash
# Peak RSS of synth + inspect + eval on a synthesized 1.26B-parameter bf16 checkpoint (hidden 2048,
# 22 layers, 16 heads, FFN 5632, vocab 32000): usage bench/scale-memory.sh [OUT_DIR] (needs ~2.5 GB free).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$(mktemp -d)}"
ckpt="$out/mha-1.26b"
text="$out/small.txt"
head -c 3000 "$home/data/vi/legal-valid.txt" > "$text"
peak() { grep -E 'Maximum resident|Elapsed' "$1" | sed 's/^\s*//' | paste -sd ';'; }
/usr/bin/time -v "$home/bin/prunekit" synth --like mha-1.26b --dtype bf16 --seed 0 \
    --tokenizer "$home/../shared/tokenizers/llama2-tokenizer.json" --out "$ckpt" 2> "$out/synth.time"
echo "synth:   $(peak "$out/synth.time")"
/usr/bin/time -v "$home/bin/prunekit" inspect "$ckpt" --json > "$out/inspect.json" 2> "$out/inspect.time"
echo "inspect: $(peak "$out/inspect.time")"
/usr/bin/time -v "$home/bin/prunekit" eval "$ckpt" --text "$text" --ctx 128 --json > "$out/eval.json" 2> "$out/eval.time"
echo "eval:    $(peak "$out/eval.time"); perplexity $(grep '"perplexity"' "$out/eval.json")"
rm -rf "$ckpt"
