#!/usr/bin/env bash
# Forward-pass benchmark: prefill tokens/s and GFLOP/s of a synthetic LLaMA-shaped model against the
# same run's DJL matmul rate. Args (optional): hidden ffn layers heads tokens repeats.
# Writes bench/forward/result.json; the last line printed is that JSON.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[[ -f "$home/cli/target/prunekit-cli.jar" ]] || (cd "$home" && mvn -B -q package -DskipTests)
out="$home/bench/forward/result.json"
java -Xmx8g -Dai.djl.offline=true -cp "$home/cli/target/prunekit-cli.jar:$home/cli/target/lib/*" \
  prunekit.core.engine.ForwardBenchmark "$@" | tail -n 1 > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
