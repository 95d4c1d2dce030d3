#!/usr/bin/env bash
# Load benchmark: `prunekit demo` alone, then beside a CPU hog (one competing 2-thread busy job: two `yes > /dev/null`),
# and the slowdown loaded/alone (goal <= 2.5 with the hog on 2 cores). Extra arguments go to both demo runs
# (e.g. --recover-tokens 8K for a shorter job). Writes bench/load/result.json with both wall times, the slowdown,
# the demo's intra-op thread count (its --json "threads"), the cores and the load average seen before each run:
# on a shared machine other jobs add to the hog, so read the slowdown with the load average beside it.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$home/bench/load/result.json"
work="$(mktemp -d)"
hogs=()
cleanup() {
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# run NAME: the demo into $work/NAME; its wall seconds to $work/NAME.s, its --json summary to $work/NAME.json
run() {
  cut -d' ' -f1-3 /proc/loadavg > "$work/$1.load"
  local t0 t1
  t0=$(date +%s.%N)
  "$home/bin/prunekit" demo --json --out "$work/$1" "${@:2}" > "$work/$1.json" 2> "$work/$1.log" \
    || { echo "demo ($1) failed; its log:" >&2; tail -20 "$work/$1.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc > "$work/$1.s"
}

run alone "$@"
yes > /dev/null & hogs+=($!)
yes > /dev/null & hogs+=($!)
run loaded "$@"

python3 - "$work" "$out" "$(nproc)" "${OMP_WAIT_POLICY:-unset (bin/prunekit sets PASSIVE)}" "$*" <<'PY'
import json, sys
work, out, nproc, wait_policy, args = sys.argv[1:6]
def read(name):
    summary = json.load(open(f"{work}/{name}.json"))
    return {"wall_s": round(float(open(f"{work}/{name}.s").read()), 1),
            "loadavg_before": open(f"{work}/{name}.load").read().strip(),
            "threads": summary.get("threads"),
            "recovered_perplexity": summary["recovered"]["perplexity"]}
alone, loaded = read("alone"), read("loaded")
slowdown = round(loaded["wall_s"] / alone["wall_s"], 2)
res = {"benchmark": "demo alone vs beside a CPU hog", "hog": "2 x `yes > /dev/null` (one 2-thread busy job)",
       "demo_args": args, "cores_available": int(nproc), "omp_wait_policy": wait_policy,
       "alone": alone, "loaded": loaded, "slowdown": slowdown, "goal": 2.5, "goal_met": slowdown <= 2.5}
with open(out + ".tmp", "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")
PY
mv "$out.tmp" "$out"
cat "$out"
