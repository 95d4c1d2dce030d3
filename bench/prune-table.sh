#!/usr/bin/env bash
# Held-out perplexity of every scorer at keep ratios 0.9, 0.7, 0.5, 0.386 of the layers' parameters,
# uniform and adaptive, no recovery, for mini-vina (../shared) and the embedded stories260K.
# Writes OUT/prune-table.md and OUT/prune-table.json.
#
#   bench/prune-table.sh [OUT] [extra options of prunekit.prune.sweep.PruneTableMain]
#   e.g. bench/prune-table.sh target/prune-table --samples 32 --seq-len 128 --eval-windows 16 --oracle 2x64
#
# OMP_NUM_THREADS defaults to 1: on a small shared machine PyTorch's spinning OpenMP workers make
# the many small forwards of the oracle several times slower; export it to use more threads.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/prune-table}
shift || true
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
mvn -B -q -o install -pl core,calibrate,prune -am -DskipTests
CP_FILE=prune/target/classpath.txt
mvn -B -q -o -pl prune dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
exec java -Xmx6g -Dai.djl.offline=true -cp "prune/target/classes:$(cat "$CP_FILE")" \
    prunekit.prune.sweep.PruneTableMain --out "$OUT" --root . "$@"
