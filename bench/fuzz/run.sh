#!/usr/bin/env bash
# Fuzzes every parser target (Jazzer, JAZZER_FUZZ=1 through `mvn -Pfuzz`) for its @FuzzTest maxDuration, each in
# its own JVM, and writes bench/fuzz/result.json (or $FUZZ_RESULT): per target, executions, seconds, coverage and the finding (if any).
# A finding fails the run and leaves its input under the target's src/test/resources/.../<Class>Inputs/<method>/,
# where every plain `mvn test` replays it. Usage: bench/fuzz/run.sh [TestClass ...]   (default: all targets)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
log=bench/fuzz/last-run.log
tests=()
[[ $# -gt 0 ]] && tests=(-Dtest="$(IFS=,; echo "$*")")
mvn -B -o -q -Pfuzz -pl core,calibrate,prune,pipeline -am test -Dsurefire.failIfNoSpecifiedTests=false "${tests[@]}" >"$log" 2>&1
rc=$?
python3 - "$log" "$rc" "${FUZZ_RESULT:-bench/fuzz/result.json}" <<'PY'
import json, re, sys
log, rc, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
targets, cur = [], None
for line in open(log, errors="replace"):
    m = re.search(r"using inputs from: .*/(\w+FuzzTest)Inputs/(\w+)", line)
    if m and (cur is None or cur["target"] != m.group(1) + "#" + m.group(2)):
        cur = {"target": m.group(1) + "#" + m.group(2), "executions": None, "seconds": None, "coverage": None,
               "finding": None}
        targets.append(cur)
    if cur is None:
        continue
    m = re.search(r"^#\d+\s+\w+\s+cov: (\d+)", line)
    if m:
        cur["coverage"] = int(m.group(1))
    m = re.search(r"Done (\d+) runs in (\d+) second", line)
    if m:
        cur["executions"], cur["seconds"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"FuzzTestFindingException: (.*)", line)
    if m and cur["finding"] is None:
        cur["finding"] = m.group(1).strip()[:300]
    m = re.search(r"Test unit written to (\S+)", line)
    if m:
        cur["input"] = m.group(1).split("/src/test/resources/")[-1]
json.dump({"mvn_exit": rc, "targets": targets}, open(out, "w"), indent=2)
for t in targets:
    print(f'{t["target"]:45} {t["executions"]!s:>9} runs {t["seconds"]!s:>4} s  cov {t["coverage"]!s:>5}  '
          + (t["finding"] or "no finding"))
PY
[[ $rc -eq 0 ]] || { echo "fuzzing failed (mvn exit $rc); see $log" >&2; grep -a "FuzzTestFinding\|ERROR\]" "$log" | head -20 >&2; }
exit $rc
