#!/usr/bin/env bash
# The GPU check of cuda-kernels/ in one call, for a machine with an NVIDIA GPU, CUDA (nvcc), cmake and
# PyTorch in Python; no Java and no network needed. It
#   1. builds the library and tests for the present GPU (its compute capability, from nvidia-smi);
#   2. runs test_cpu (the C reference: finite differences, the engine's goldens) and test_cuda (every op,
#      a per-layer-shape model and the goldens, CUDA against the C reference);
#   3. runs test_cuda under compute-sanitizer (memcheck);
#   4. runs tools/torch_check.py: every op against PyTorch on the same device memory, and the golden
#      10-step run replayed in PyTorch;
#   5. measures full training steps (tokens/s, TFLOP/s against the GPU's fp32 peak) at the mini-vina
#      shape and at the 1B synthetic shape (mha-1.26b), then the same steps with 0.5 CE + 0.5 KD against
#      a forward-only teacher of the same shape held on the device (pk_model_forward_backward_kd; last,
#      so they are the ones skipped when the time budget runs out);
# and writes everything to $OUT/device-check.json (OUT defaults to cuda-kernels/device-out).
# Bounded to 7.5 minutes overall: each step gets what is left, capped. Exit status 0 when every
# check that ran passed.
#   --cpu   the dry run for a machine without a GPU: builds the CUDA sources for sm_80 (compile only),
#           runs the CPU tests, the PyTorch comparison against the CPU backend and a small CPU benchmark.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODE=gpu
[ "${1:-}" = "--cpu" ] && MODE=cpu
OUT="${OUT:-$HERE/device-out}"
mkdir -p "$OUT"
PY="${PYTHON:-python3}"
BUILD="$HERE/build-device"
START=$(date +%s)
TOTAL=450
STEPS_FILE="$OUT/steps.tsv"
: >"$STEPS_FILE"

left() { echo $((TOTAL - ($(date +%s) - START))); }
# step NAME CAP_SECONDS CMD...: runs CMD with the smaller of CAP and the time left, log in $OUT/NAME.log
step() {
  local name=$1 cap=$2; shift 2
  local budget; budget=$(left)
  [ "$budget" -gt "$cap" ] && budget=$cap
  if [ "$budget" -lt 5 ]; then
    printf '%s\t%s\t%s\n' "$name" "skipped" "0" >>"$STEPS_FILE"
    echo "== $name: skipped, the time budget is spent" | tee "$OUT/$name.log"
    return 0
  fi
  local t0 rc; t0=$(date +%s)
  echo "== $name (at most ${budget}s)"
  timeout --kill-after=10 "$budget" "$@" >"$OUT/$name.log" 2>&1; rc=$?
  printf '%s\t%s\t%s\n' "$name" "$rc" "$(( $(date +%s) - t0 ))" >>"$STEPS_FILE"
  tail -4 "$OUT/$name.log"
  return 0
}

if [ "$MODE" = gpu ]; then
  nvidia-smi --query-gpu=name,compute_cap,memory.total,driver_version --format=csv,noheader >"$OUT/gpu.txt" 2>&1 \
    || { echo "no GPU visible (nvidia-smi failed); use --cpu for the dry run" >&2; cat "$OUT/gpu.txt" >&2; exit 2; }
  ARCH=$(head -1 "$OUT/gpu.txt" | cut -d, -f2 | tr -d ' .')
  CUDA=ON
else
  echo "cpu dry run (no GPU)" >"$OUT/gpu.txt"
  ARCH=80
  if command -v nvcc >/dev/null; then CUDA=ON; else CUDA=OFF; fi
fi
echo "mode $MODE, CUDA arch ${ARCH}, output $OUT"

step configure 90 cmake -S "$HERE" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPK_CUDA=$CUDA -DCMAKE_CUDA_ARCHITECTURES="$ARCH"
step build 240 cmake --build "$BUILD" -j "$(nproc)"
step test_cpu 60 "$BUILD/test_cpu" "$HERE/golden"
step test_cuda 120 "$BUILD/test_cuda" "$HERE/golden"
if [ "$MODE" = gpu ] && command -v compute-sanitizer >/dev/null; then
  step sanitizer 150 compute-sanitizer --tool memcheck --error-exitcode 1 "$BUILD/test_cuda" "$HERE/golden"
else
  printf '%s\t%s\t%s\n' sanitizer skipped 0 >>"$STEPS_FILE"
  echo "compute-sanitizer not run (mode $MODE or not on PATH)" >"$OUT/sanitizer.log"
fi
if "$PY" -c "import torch" 2>/dev/null; then
  BE=cuda; [ "$MODE" = cpu ] && BE=cpu
  (cd "$HERE/tools" && step torch_check 150 "$PY" torch_check.py "$BUILD/libprunekit_kernels.so" "$BE" \
      "$HERE/golden/engine-tiny.pkgold" "$OUT/torch.json")
else
  printf '%s\t%s\t%s\n' torch_check skipped 0 >>"$STEPS_FILE"
  echo "PyTorch is not importable by $PY; set PYTHON=/path/to/python" >"$OUT/torch_check.log"
fi
#                       name       vocab  hidden hd  layers qh  kvh ffn   batch seq steps
if [ "$MODE" = gpu ]; then
  step bench_minivina 90 "$BUILD/bench_step" cuda mini-vina 4096 256 32 6 8 8 688 16 256 10 "$OUT/bench_minivina.json"
  step bench_1b 150 "$BUILD/bench_step" cuda mha-1.26b 32000 2048 128 22 16 16 5632 1 1024 3 "$OUT/bench_1b.json"
  #                                                    student as above ...                     teacher: hidden layers qh kvh ffn
  step bench_minivina_kd 60 "$BUILD/bench_step" cuda mini-vina+kd 4096 256 32 6 8 8 688 16 256 10 "$OUT/bench_minivina_kd.json" 256 6 8 8 688
  step bench_1b_kd 120 "$BUILD/bench_step" cuda mha-1.26b+kd 32000 2048 128 22 16 16 5632 1 1024 3 "$OUT/bench_1b_kd.json" 2048 22 16 16 5632
else
  step bench_minivina 60 "$BUILD/bench_step" cpu mini-vina 4096 256 32 6 8 8 688 1 32 1 "$OUT/bench_minivina.json"
  step bench_minivina_kd 60 "$BUILD/bench_step" cpu mini-vina+kd 4096 256 32 6 8 8 688 1 32 1 "$OUT/bench_minivina_kd.json" 256 6 8 8 688
fi

"$PY" - "$OUT" "$MODE" <<'PYEOF'
import json, os, sys
out, mode = sys.argv[1], sys.argv[2]
gpu = open(os.path.join(out, "gpu.txt")).read().strip()
# fp32 (SIMT, what these kernels use) and dense bf16 tensor-core peaks, TFLOP/s, from NVIDIA's data sheets
PEAKS = {"H200": (67.0, 989.0), "H100": (67.0, 989.0), "A100": (19.5, 312.0)}
peak = next((v for k, v in PEAKS.items() if k in gpu), None)
steps = {}
for line in open(os.path.join(out, "steps.tsv")):
    name, rc, secs = line.rstrip("\n").split("\t")
    log = os.path.join(out, name + ".log")
    tail = open(log, errors="replace").read()[-3000:] if os.path.exists(log) else ""
    status = "skipped" if rc in ("skipped", "77") else ("passed" if rc == "0" else ("timed out" if rc in ("124", "137") else "failed"))
    steps[name] = {"status": status, "exit": rc, "seconds": int(secs), "log_tail": tail}
bench = []
for name in ("bench_minivina", "bench_1b", "bench_minivina_kd", "bench_1b_kd"):
    p = os.path.join(out, name + ".json")
    if os.path.exists(p):
        b = json.load(open(p))
        if peak:
            b["fp32_peak_tflops"], b["bf16_peak_tflops"] = peak
            b["fraction_of_fp32_peak"] = b["tflops"] / peak[0]
        bench.append(b)
torch_path = os.path.join(out, "torch.json")
report = {"mode": mode, "gpu": gpu, "steps": steps, "bench": bench,
          "torch": json.load(open(torch_path)) if os.path.exists(torch_path) else None,
          "all_passed": all(s["status"] in ("passed", "skipped") for s in steps.values())
                        and not (mode == "gpu" and steps.get("test_cuda", {}).get("status") != "passed")}
json.dump(report, open(os.path.join(out, "device-check.json"), "w"), indent=1)
print("device-check.json: " + ", ".join(f"{k} {v['status']}" for k, v in steps.items()))
for b in bench:
    print(f"  {b['name']}: {b['tokens_per_s']:.0f} tokens/s, {b['tflops']:.2f} TFLOP/s")
sys.exit(0 if report["all_passed"] else 1)
PYEOF
