# Sourced by bench/gguf/run*.sh: the checkout ($home), the launcher ($pk), a temporary folder removed on exit
# ($tmp), node-llama-cpp's folder ($modules), and gguf_bench, the export + llama.cpp measurement loop they share.
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
modules="${PRUNEKIT_NODE_MODULES:-$HOME/.cache/prunekit/node/node_modules}"
pk="$home/bin/prunekit"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# gguf_bench PREFIX THREADS RUNS OUT NAME=CHECKPOINT...: exports every checkpoint as PREFIX-NAME-DTYPE.gguf in
# F16 then Q8_0, and writes OUT, llama-bench.mjs's JSON (prompt of 128 ids, 64 decode steps, RUNS runs each).
gguf_bench() {
  local prefix=$1 threads=$2 runs=$3 out=$4 dtype m
  shift 4
  local files=()
  for dtype in f16 q8_0; do
    for m in "$@"; do
      "$pk" export "${m#*=}" "$tmp/$prefix-${m%%=*}-$dtype.gguf" --dtype "$dtype" >&2
      files+=("$tmp/$prefix-${m%%=*}-$dtype.gguf")
    done
  done
  PRUNEKIT_NODE_MODULES="$modules" node "$home/bench/gguf/llama-bench.mjs" "$threads" 128 64 "$runs" "${files[@]}" > "$out"
  echo "wrote $out" >&2
}
