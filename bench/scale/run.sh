#!/usr/bin/env bash
# The scale benchmark (issue 10): a synthetic bf16 checkpoint of a known shape, streamed through every stage.
#   synth → prune --target-params (the default recipe's local pruner: sequential layer-wise reconstruction, uniform
#   allocation, 64 × 128 calibration tokens; the allocation search holds the model in memory and is not run at scale)
#   → prune --target-arch (Sheared-LLaMA's shape at 7B; fluctuation, since the default recipe takes parameter budgets)
#   → eval of the --target-arch model → export of it to ONNX (fp16, external data).
# Per stage: wall seconds, peak RSS (VmHWM via /usr/bin/time -v, native memory included), parameters in and out,
# bytes written. Writes bench/scale/result.json (or --result FILE) and prints it as its last line.
# usage: bench/scale/run.sh [--like llama-2-7b|mha-1.26b|tiny] [--work DIR] [--result FILE] [--stages LIST]
#                           [--samples N] [--layers N] [--small-from arch|params] [--keep]
#   --samples: calibration windows of 128 tokens (default 64, the benchmark's; fewer for a quick smoke run).
#   --layers: synthesize only N layers of the full width (a streamed stage's memory does not grow with the layer count,
#   so a few layers measure the full-size peak RSS). The targets follow: --target-arch keeps N layers, and prune-params
#   takes --keep-ratio R --scope layers with R the layers' keep ratio that --target-params implies at the full count.
#   --stages: comma-separated subset of synth,inspect,prune-params,prune-arch,eval,export (default: all; later stages
#   need the outputs of earlier ones in --work).
#   --small-from: which small model eval and export read: prune-arch's (default) or prune-params' (the 2.7B of the
#   default recipe, so a full-size run can skip prune-arch).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
like=llama-2-7b; work=""; result="$home/bench/scale/result.json"; stages="synth,inspect,prune-params,prune-arch,eval,export"; keep=0; samples=64; layers=""; small_from=arch
while [[ $# -gt 0 ]]; do
  case "$1" in
    --like) like="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --result) result="$2"; shift 2 ;;
    --stages) stages="$2"; shift 2 ;;
    --samples) samples="$2"; shift 2 ;;
    --layers) layers="$2"; shift 2 ;;
    --small-from) small_from="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "run.sh: unknown argument $1 (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
# The streamed stages hold one tensor (or layer) at a time; the heap copy of each tensor read is garbage the JVM frees
# only when it collects, and so are the direct buffers the default recipe's reconstruction makes (LayerStreamer's
# layers live in PyTorch-owned memory, freed when closed): small caps make it collect (RSS 2-4 GB, not 4-6).
export PRUNEKIT_JAVA_OPTS="${PRUNEKIT_JAVA_OPTS:--Xmx2g -XX:MaxDirectMemorySize=1g}"
tok="$home/../shared/tokenizers/llama2-tokenizer.json"
# like: dense parameters (outer: embedding, head, final norm), --target-params (and as a plain count), --target-arch
# (Sheared-LLaMA-2.7B's ratios), tokenizer
case "$like" in
  llama-2-7b) params=6738415616; outer=262148096; target=2.7B; target_n=2700000000; arch="hidden=2560,heads=20,kv-heads=20,ffn=6912,layers=32" ;;
  mha-1.26b)  params=1261529088; outer=131074048; target=505M; target_n=505000000;  arch="hidden=1280,heads=10,kv-heads=10,ffn=3456,layers=22" ;;
  tiny)       params=0;          outer=0;         target=100K; target_n=100000;     arch="hidden=40,heads=2,kv-heads=1,ffn=96,layers=2"; tok="$home/models/stories260K.gguf" ;;
  *) echo "run.sh: --like $like: use llama-2-7b, mha-1.26b or tiny" >&2; exit 2 ;;
esac
full_layers="${arch##*layers=}"
if [[ -n "$layers" ]]; then
  [[ "$layers" =~ ^[1-9][0-9]*$ ]] && (( layers <= full_layers )) \
    || { echo "run.sh: --layers $layers: give a whole number from 1 to $like's $full_layers" >&2; exit 2; }
  arch="${arch%layers=*}layers=$layers"
  params=$(( outer + (params - outer) * layers / full_layers ))   # for the disk estimate
fi
[[ "$small_from" == arch || "$small_from" == params ]] \
  || { echo "run.sh: --small-from $small_from: use arch or params" >&2; exit 2; }
[[ -f "$tok" ]] || { echo "run.sh: tokenizer $tok is missing" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "run.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
work="${work:-$(mktemp -d "${TMPDIR:-/tmp}/prunekit-scale.XXXXXX")}"
mkdir -p "$work"
# Disk: the bf16 checkpoint (2 B/param), two pruned bf16 checkpoints and the fp16 ONNX of one (each ~0.4 of it).
need=$(( params * 2 + params * 2 * 4 / 10 * 3 + 200000000 ))
free=$(( $(df -Pk "$work" | awk 'NR==2 {print $4}') * 1024 ))
echo "run.sh: $like in $work needs about $(( need / 1000000000 )).$(( need % 1000000000 / 100000000 )) GB of disk;" \
     "$(( free / 1000000000 )) GB free" >&2
if (( free < need )); then
  echo "run.sh: not enough free disk in $work: need $need bytes, have $free; pass --work DIR on a larger disk" >&2
  exit 1
fi
# The default recipe's products run in bf16 at 7B width where the CPU has AMX/AVX512-BF16 and the native library is built.
[[ -f "$home/cuda-kernels/build/libprunekit_jni.so" ]] \
  || echo "run.sh: note: cuda-kernels/build/libprunekit_jni.so is not built (bash cuda-kernels/ci.sh): the prune's products stay fp32" >&2
calib="$home/data/vi/legal-train-sample.txt"
text="$work/small.txt"
head -c 3000 "$home/data/vi/legal-valid.txt" > "$text" 2>/dev/null || head -c 3000 "$calib" > "$text"

stage_json=()
# run_stage NAME OUTPUT_PATH PARAMS_IN -- prunekit ARGS...: times it, records peak RSS and what it wrote.
run_stage() {
  local name="$1" output="$2" pin="$3"; shift 4
  local log="$work/$name.log" timing="$work/$name.time" t0 t1
  echo "run.sh: $name: prunekit $*" >&2
  t0=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$timing" "$home/bin/prunekit" "$@" > "$log" 2> "$work/$name.err"; then
    echo "run.sh: stage $name failed; see $work/$name.err:" >&2; tail -5 "$work/$name.err" >&2; exit 1
  fi
  t1=$(date +%s.%N)
  local rss_kb bytes pout
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$timing")
  bytes=$(du -sb "$output" | awk '{print $1}')
  pout=$(grep -oE '"(params_after|parameters)": *[0-9]+' "$log" | head -1 | grep -oE '[0-9]+$' || true)
  local mm; mm=$(grep -oE '"matmul": *"[a-z0-9]+"' "$log" | head -1 | grep -oE '"[a-z0-9]+"$' || true)
  stage_json+=("$(printf '{"stage": "%s", "wall_s": %.1f, "peak_rss_bytes": %d, "params_in": %s, "params_out": %s, "bytes_written": %d%s}' \
      "$name" "$(echo "$t1 - $t0" | bc)" "$((rss_kb * 1024))" "${pin:-null}" "${pout:-$pin}" "$bytes" "${mm:+, \"matmul\": $mm}")")
  echo "run.sh: $name: ${stage_json[-1]}" >&2
}
has() { [[ ",$stages," == *",$1,"* ]]; }
count() { grep -oE '"'"$2"'": *[0-9]+' "$work/$1.log" | head -1 | grep -oE '[0-9]+$'; }

dense="$work/dense"; p27="$work/prune-params"; sheared="$work/prune-arch"
layer_args=(); [[ -n "$layers" ]] && layer_args=(--layers "$layers")
has synth && { rm -rf "$dense"; run_stage synth "$dense" null -- synth --like "$like" "${layer_args[@]}" --dtype bf16 --seed 0 --tokenizer "$tok" --out "$dense" --json; }
dense_params=$(count synth parameters 2>/dev/null || echo "$params")
has inspect && run_stage inspect "$work/inspect.log" "$dense_params" -- inspect "$dense" --json
calib_args=(--calib "$calib" --samples "$samples" --seq-len 128)
# The parameter budget: --target-params at the full layer count; with --layers N, the keep ratio of the layers' parameters
# that it implies there, R = (target - embedding, head and final norm) / (full count · one layer's), from inspect's counts.
budget_args=(--target-params "$target")
if [[ -n "$layers" ]] && has prune-params; then
  [[ -f "$work/inspect.log" ]] || "$home/bin/prunekit" inspect "$dense" --json > "$work/inspect.log"
  total_n=$(grep -oE '"total": *[0-9]+' "$work/inspect.log" | head -1 | grep -oE '[0-9]+$')
  layers_n=$(grep -oE '"layers": *[0-9]+' "$work/inspect.log" | head -1 | grep -oE '[0-9]+$')
  keep_ratio=$(echo "scale=12; ($target_n - ($total_n - $layers_n)) * $layers / ($full_layers * $layers_n)" | bc)
  keep_ratio="0${keep_ratio#0}"
  echo "run.sh: --target-params $target at $full_layers layers keeps $keep_ratio of the layers' parameters" \
       "($total_n parameters at $layers layers, $layers_n of them in the layers)" >&2
  budget_args=(--keep-ratio "$keep_ratio" --scope layers)
fi
# The reconstruction pruner holds one block's fp32 weights at a time, down_proj's input and the states of both streams
# on the heap; its n×n matrices and every array it hands PyTorch are in memory PyTorch frees (no direct buffers):
# 2 GB of heap is enough up to the 7B width with the parallel collector, which compacts large arrays (a 2-layer
# 7B-width prune peaks at 3.86 GB RSS; G1, which does not move humongous arrays, needs 2400 MB and peaks at 4.2 GB).
# glibc's malloc keeps freed large blocks in its arenas for reuse and raises its mmap threshold as it goes, so over
# the layers PyTorch's and MKL's freed buffers pile up as resident fragments: a fixed 1 MiB threshold (every block
# from 1 MiB up is its own mapping, returned on free) and two arenas hold a 6-layer 7B-width prune at 3.46 GB peak
# instead of 4.04 GB, for about 25% more time (page faults on fresh mappings).
has prune-params && { rm -rf "$p27"; PRUNEKIT_JAVA_OPTS="${RECON_JAVA_OPTS:--XX:+UseParallelGC -Xmx2g -XX:MaxDirectMemorySize=256m}" \
  MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-1048576}" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" run_stage prune-params "$p27" "$dense_params" -- prune "$dense" "${calib_args[@]}" --search-budget 0 "${budget_args[@]}" --out "$p27" --json; }
calib_args=(--scorer fluctuation "${calib_args[@]}")
has prune-arch && { rm -rf "$sheared"; run_stage prune-arch "$sheared" "$dense_params" -- prune "$dense" "${calib_args[@]}" --target-arch "$arch" --out "$sheared" --json; }
small="$sheared"; small_stage=prune-arch
[[ "$small_from" == params ]] && { small="$p27"; small_stage=prune-params; }
small_params=$(count "$small_stage" params_after 2>/dev/null || echo null)
has eval && run_stage eval "$work/eval.log" "$small_params" -- eval "$small/pruned" --text "$text" --ctx 128 --json
has export && { rm -rf "$work/onnx"; mkdir -p "$work/onnx"; run_stage export "$work/onnx" "$small_params" -- export "$small/pruned" "$work/onnx/model.onnx" --dtype f16 --external-data always --json; }

ppl=$(grep -oE '"perplexity": *[0-9.eE+-]+' "$work/eval.log" 2>/dev/null | grep -oE '[0-9.eE+-]+$' || echo null)
json=$(printf '{"like": "%s", "layers": %d, "calibration": "%d x 128 tokens", "host": {"cores": %d, "memory_bytes": %d, "cpu": "%s"}, "small_model_from": "%s", "perplexity_of_small_model": %s, "stages": [%s]}' \
  "$like" "${layers:-$full_layers}" "$samples" "$(nproc)" "$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) * 1024 ))" \
  "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)" "$small_stage" "${ppl:-null}" "$(IFS=,; echo "${stage_json[*]}")")
mkdir -p "$(dirname "$result")"
echo "$json" > "$result.tmp" && mv "$result.tmp" "$result"
(( keep )) || rm -rf "$dense" "$p27" "$sheared" "$work/onnx"
echo "$json"
