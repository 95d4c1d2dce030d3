#!/usr/bin/env bash
# The default recipe's local pruner on ONE synthetic LLaMA-2-7B-shaped decoder layer (see
# prune/src/test/java/prunekit/prune/recon/Layer7bBench.java): wall and CPU seconds per phase, peak
# RSS, machine load, and the projection to 32 layers, into bench/recon/result-layer-7b.json.
#
#   bench/recon/layer-7b.sh [TOKENS [MATMUL]]   (default 8192 = 64 x 128 calibration tokens; MATMUL fp32, bf16 or
#                                               auto, the default: bf16 where the CPU and cuda-kernels/build allow)
# Builds with mvn test-compile (never install) and runs from this tree's classes.
set -euo pipefail
cd "$(dirname "$0")/../.."
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
# one reactor invocation: the sibling modules resolve to their target/classes, so nothing needs installing
mvn -B -q -o -pl prune -am test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath-prune.txt \
    -Dmdep.includeScope=test
CP="prune/target/test-classes:prune/target/classes:core/target/classes:$(tr ':' '\n' < prune/target/classpath-prune.txt | grep -v prunekit | paste -sd:)"
java ${BENCH_JAVA_OPTS:--Xmx4g} -Dai.djl.offline=true -cp "$CP" prunekit.prune.recon.Layer7bBench \
    "${RESULT:-bench/recon/result-layer-7b.json}" "${1:-8192}" "${2:-auto}" 2> >(grep -v SLF4J >&2)
