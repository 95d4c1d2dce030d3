#!/usr/bin/env bash
# Layer-wise reconstruction on mini-vina (../shared) and stories260K: the ablation
# select-only -> + refit -> + sequential -> + search at keep ratios of the layers' parameters,
# valid perplexity under the shared protocol (every window of valid/{wiki,legal}.txt), the time
# each prune takes and the calibration tokens it used. Writes OUT/recon.txt and prints it.
#
#   bench/recon/run.sh [OUT] [extra options of prunekit.pipeline.sweep.ReconTableBenchmark, see its --help]
#   e.g. bench/recon/run.sh target/recon --ratios 0.386 --eval-windows 64
#
# Recipes (refit target : intercept : damping : refit : sequential : search generations):
#   select-only   OBS chooses on the dense model's inputs, surviving weights unchanged
#   refit         + exact ridge least-squares refit of o_proj / down_proj (on dense inputs)
#   sequential    + each layer pruned on the pruned layers' outputs, refit to the dense residual stream
#   search        + searched per-module allocation (KL on held-out windows), re-pruned sequentially
# Builds with mvn test-compile (never install) and runs from this tree's classes (the benchmark lives in
# pipeline's test sources: pipeline/src/test/java/prunekit/pipeline/sweep/ReconTableBenchmark.java).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/recon}
shift || true
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
cp=pipeline/target/recon-classpath.txt
# One reactor build; pipeline's test classpath written to $cp (siblings resolve to their target/ folders).
mvn -B -q -o test-compile dependency:build-classpath -pl pipeline -am -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/$cp" >/dev/null
CP="pipeline/target/test-classes:pipeline/target/classes:$(cat "$cp")"
RECIPES="select-only=dense:false:0.01:false:false:0;refit=dense:false:0.01:true:false:0"
RECIPES="$RECIPES;sequential=dense_residual:false:0.01:true:true:0;search=dense_residual:false:0.01:true:true:8"
mkdir -p "$OUT"
run() {
  java -Xmx8g -Dai.djl.offline=true -cp "$CP" prunekit.pipeline.sweep.ReconTableBenchmark --root . --recipes "$RECIPES" "$@" \
      2> >(grep -v SLF4J >&2)
}
{
  run --model mini-vina "$@"
  run --model stories260K --samples 32 --seq-len 128 "$@"
} | tee "$OUT/recon.txt.tmp"
mv "$OUT/recon.txt.tmp" "$OUT/recon.txt"
