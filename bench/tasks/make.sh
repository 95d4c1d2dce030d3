#!/usr/bin/env bash
# Regenerates the two Vietnamese zero-shot tasks in data/tasks/ (vi-cloze.jsonl, vi-minimal-pairs.jsonl)
# from the held-out split ../shared/data/vi/valid/{wiki,legal}.txt with a fixed seed
# (prunekit.pipeline.tasks.ViTasksMain); EvalTasksTest checks that the shipped files are its output.
#
#   bench/tasks/make.sh [VALID_DIR] [OUT_DIR]     (defaults: ../shared/data/vi/valid data/tasks)
set -euo pipefail
cd "$(dirname "$0")/../.."
VALID=${1:-../shared/data/vi/valid}
OUT=${2:-data/tasks}
if [[ ! -f cli/target/prunekit-cli.jar || ! -d cli/target/lib ]]; then
  mvn -B -q package -DskipTests
fi
mkdir -p "$OUT"
exec java -cp "cli/target/prunekit-cli.jar:cli/target/lib/*" prunekit.pipeline.tasks.ViTasksMain "$VALID" "$OUT"
