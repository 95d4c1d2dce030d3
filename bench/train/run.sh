#!/usr/bin/env bash
# Training benchmark: tokens/s and FLOP-counted GFLOP/s of full training steps (forward, backward,
# clipping, AdamW) on a synthetic LLaMA-shaped model, against the same run's DJL matmul rate.
# Default shape: mini-vina (hidden 256, ffn 688, 6 layers, 8 heads, vocab 4096, batch 16 x 256).
# Args (optional): hidden ffn layers heads vocab batch seq steps.
# FLOPs/step = 3 x forward FLOPs = 6 * (linear weights incl. lm_head) * tokens + 3 * causal attention
# (see recover/src/test/java/prunekit/recover/TrainBenchmark.java: a benchmark, so it lives with the tests, not in
# the library). Writes bench/train/result.json; the last line printed is that JSON.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$home"
cp="$home/bench/train/.classpath"
# One reactor build: core, calibrate and recover compiled with their tests, and recover's test classpath written to
# $cp (each module writes it in turn; recover, built last, wins). Siblings resolve to their target/ folders: nothing
# is installed into ~/.m2.
mvn -B -q -o test-compile dependency:build-classpath -pl recover -am -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp" >/dev/null
out="$home/bench/train/result.json"
java -Xmx8g -Dai.djl.offline=true -cp "$home/recover/target/test-classes:$home/recover/target/classes:$(cat "$cp")" \
  prunekit.recover.TrainBenchmark "$@" | tail -n 1 > "$out.tmp"
rm -f "$cp"
mv "$out.tmp" "$out"
cat "$out"
