#!/usr/bin/env bash
# Recovery table: mini-vina (../shared) pruned to 0.386 of its layers' parameters with the best
# uniform scorer of bench/prune-table.sh at that ratio (fluctuation), then healed four ways at the
# same token budget, batch, schedule and data order: LoRA and full fine-tuning, each on
# cross-entropy only (ce) and on distillation from the dense model (kd: KL(teacher || student),
# T = 1, the teacher run alongside). Every model is then scored on the held-out text with the
# perplexity protocol (../shared/data/vi/valid/wiki.txt + legal.txt, ctx 256, every window).
#
#   bench/recover-table.sh [OUT] [TOKENS]        e.g. bench/recover-table.sh target/recover-table 256K
#
# The default budget, 256K tokens per run (125 steps of 8 x 256), is what fits four runs into about
# half an hour on a 2-core machine shared with other work: measured there with one PyTorch thread,
# CE trains at ~1,100 tokens/s and KD (student + live teacher) at ~650 tokens/s.
#
# Writes OUT/pruned/, OUT/{lora,full}-{ce,kd}/ (prunekit recover runs), OUT/recovery.png|svg,
# OUT/recover-table.md and .json, and prints the table. A run that was interrupted is resumed
# (--resume) and a finished one is kept, so the script can be run again after a kill.
# Environment: BATCH (default 8), FULL_LR (1e-3), LORA_LR (5e-3), LORA_RANK (16), EVAL_WINDOWS (16),
# THREADS (default 1: on a small shared machine one PyTorch thread is several times faster than two).
# Needs jq.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-target/recover-table}
TOKENS=${2:-256K}
BATCH=${BATCH:-8}
FULL_LR=${FULL_LR:-1e-3}
LORA_LR=${LORA_LR:-5e-3}
LORA_RANK=${LORA_RANK:-16}
EVAL_WINDOWS=${EVAL_WINDOWS:-16}
THREADS=${THREADS:-1}
SHARED=../shared
DENSE=$SHARED/models/mini-vina
TRAIN=("$SHARED/data/vi/train/wiki.txt" "$SHARED/data/vi/train/legal.txt")
VALID=("$SHARED/data/vi/valid/wiki.txt" "$SHARED/data/vi/valid/legal.txt")
command -v jq >/dev/null || { echo "recover-table: needs jq" >&2; exit 2; }
[[ -d $DENSE ]] || { echo "recover-table: needs $DENSE (the ../shared folder)" >&2; exit 2; }
export OMP_NUM_THREADS=$THREADS
export PRUNEKIT_JAVA_OPTS="-Xmx6g -Dai.djl.pytorch.num_threads=$THREADS"
mkdir -p "$OUT"
mvn -B -q -o package -pl cli -am -DskipTests >&2
pk() { bin/prunekit "$@"; }
ppl() { pk eval "$1" --text "${VALID[@]}" --ctx 256 --json 2>/dev/null | jq -r .perplexity; }

if [[ ! -f $OUT/pruned/pruned/config.json ]]; then
  pk prune "$DENSE" --scorer fluctuation --calib "${TRAIN[@]}" --keep-ratio 0.386 --scope layers --uniform \
     --out "$OUT/pruned" >&2
fi
PRUNED=$OUT/pruned/pruned
echo "recover-table: evaluating the dense and the pruned model" >&2
P_DENSE=$(ppl "$DENSE")
P_PRUNED=$(ppl "$PRUNED")

RUNS=()
for mode in lora full; do
  for loss in ce kd; do
    run=$OUT/$mode-$loss
    RUNS+=("$run")
    if [[ -f $run/recover.json ]] && jq -e .finished "$run/recover.json" >/dev/null; then
      echo "recover-table: $run is finished, kept" >&2
      continue
    fi
    resume=()
    [[ -d $run/checkpoints ]] && resume=(--resume)
    lr=$FULL_LR; [[ $mode == lora ]] && lr=$LORA_LR
    echo "recover-table: $mode $loss, $TOKENS tokens" >&2
    start=$(date +%s)
    pk recover "$PRUNED" --teacher "$DENSE" --data "${TRAIN[@]}" --valid "${VALID[@]}" --tokens "$TOKENS" \
       --batch "$BATCH" --mode "$mode" --loss "$loss" --lr "$lr" --lora-rank "$LORA_RANK" \
       --eval-windows "$EVAL_WINDOWS" --out "$run" "${resume[@]}" >&2
    echo "recover-table: $mode $loss took $(( $(date +%s) - start )) s wall" >&2
  done
done
pk recover-chart "${RUNS[@]}" --names "LoRA CE,LoRA KD,full CE,full KD" \
   --title "mini-vina at 0.386 of its layers: $TOKENS tokens (first $EVAL_WINDOWS held-out windows)" --out "$OUT" >&2

ROWS=()
for run in "${RUNS[@]}"; do
  p=$(ppl "$run/recovered")
  ROWS+=("$(jq -c --argjson p "$p" --argjson d "$P_DENSE" --argjson u "$P_PRUNED" '{mode, loss, trainable_params, tokens,
      seconds, tokens_per_second, best_step, perplexity: $p,
      gap_closed: ((($u | log) - ($p | log)) / (($u | log) - ($d | log)))}' "$run/recover.json")")
done
printf '%s\n' "${ROWS[@]}" | jq -s --argjson dense "$P_DENSE" --argjson pruned "$P_PRUNED" --arg tokens "$TOKENS" \
   '{dense_perplexity: $dense, pruned_perplexity: $pruned, tokens_per_run: $tokens, runs: .}' > "$OUT/recover-table.json"
{
  echo "# Recovery of mini-vina pruned to 0.386 of its layers' parameters"
  echo
  echo "Pruned: fluctuation scorer, uniform, $(jq -r .params "$OUT/lora-ce/recover.json") of 6,843,648 parameters."
  echo "Held-out perplexity: valid/wiki.txt + valid/legal.txt, protocol, ctx 256, every window."
  echo "Recovery: $TOKENS tokens per run, batch $BATCH x 256, warmup 5% then cosine to lr/10, AdamW, clip 1;"
  echo "full lr $FULL_LR; LoRA lr $LORA_LR, rank $LORA_RANK, alpha $((2 * LORA_RANK)) on q,k,v,o,gate,up,down;"
  echo "KD = KL(teacher || student) at T = 1 with the dense model run alongside; same seed and data order for all."
  echo "Gap closed = (ln ppl_pruned - ln ppl) / (ln ppl_pruned - ln ppl_dense). train s and tokens/s: training steps only."
  echo
  echo "| model | trainable params | tokens | train s | tokens/s | held-out ppl | gap closed |"
  echo "|---|---|---|---|---|---|---|"
  printf "| dense mini-vina | - | - | - | - | %.2f | 100%% |\n" "$P_DENSE"
  printf "| pruned, no recovery | - | - | - | - | %.2f | 0%% |\n" "$P_PRUNED"
  for row in "${ROWS[@]}"; do
    IFS=$'\t' read -r mode loss trainable tokens secs rate p gap < <(jq -r \
        '[.mode, .loss, .trainable_params, .tokens, .seconds, .tokens_per_second, .perplexity, .gap_closed] | @tsv' <<< "$row")
    printf "| %s %s | %d | %d | %.0f | %d | %.2f | %.0f%% |\n" "$mode" "${loss^^}" "$trainable" "$tokens" "$secs" "$rate" "$p" \
        "$(jq -n "$gap * 100")"
  done
} > "$OUT/recover-table.md"
cat "$OUT/recover-table.md"
