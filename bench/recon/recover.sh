#!/usr/bin/env bash
# Recovery of the default recipe's cut (issue 11): mini-vina (../shared) pruned by `prunekit prune` with no
# --scorer at 0.386 of its layers' parameters (the 7B -> 2.7B ratio), then healed with the issue's
# reference budget: full fine-tuning, 1M tokens of train/{wiki,legal}.txt in batches of 16 x 256, AdamW
# lr 1e-3, betas 0.9/0.95, no weight decay, 10 warmup steps, cosine to 1e-4, clip 1.0, the dense model as
# teacher at T = 1. Two objectives on the same tokens, seed and data order:
#   kd   KL(teacher || student) only (the reference's objective)
#   mix  ALPHA * KD + (1 - ALPHA) * CE on the same windows (default ALPHA 0.5)
# Each recovered model is scored on every window of valid/{wiki,legal}.txt (protocol, ctx 256).
#
#   bench/recon/recover.sh [OUT]        default OUT target/recon-recover
#   CUT=uniform bench/recon/recover.sh OUT   the comparison cut instead: uniform (--search-budget 0) at the anchors'
#                                            calibration (64 x 256), written to result-recover-uniform.json
#   LOSSES="mix" ...                         only these objectives (default "kd mix")
#   BATCH=8 LR=1e-3 MIN_LR=1e-4 ...          windows per step and the learning rates (defaults: the reference's 16,
#                                            1e-3, 1e-4); the token budget stays 1M, so a smaller batch takes more steps
#   HIDDEN_WEIGHT=1 HIDDEN_LAYERS=0,1,2 ...  add the relative MSE of those layers' hidden states to the teacher's
#                                            (--hidden-weight, --hidden-layers; default off)
#   FREEZE="lm_head\\..*" ...                tensors (full-name regexes) kept fixed (--freeze; default none)
#   SEED=7 ...                               data order (--seed; default recover's 1234)
#   RESULT=FILE ...                          write the JSON there instead
#
# Writes OUT/pruned, OUT/{kd,mix}/ (recover runs; a finished one is kept, an interrupted one resumed) and
# bench/recon/result-recover.json, and prints that JSON. About 8 min per run on 2 free cores. Needs jq.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-target/recon-recover}
ALPHA=${ALPHA:-0.5}
BATCH=${BATCH:-16}
LR=${LR:-1e-3}
MIN_LR=${MIN_LR:-1e-4}
CUT=${CUT:-default}
LOSSES=${LOSSES:-kd mix}
HIDDEN_WEIGHT=${HIDDEN_WEIGHT:-0}
HIDDEN_LAYERS=${HIDDEN_LAYERS:-}
FREEZE=${FREEZE:-}
SEED=${SEED:-1234}
hidden_args=()
if [[ $HIDDEN_WEIGHT != 0 ]]; then
  hidden_args=(--hidden-weight "$HIDDEN_WEIGHT")
  if [[ -n $HIDDEN_LAYERS ]]; then hidden_args+=(--hidden-layers "$HIDDEN_LAYERS"); fi
fi
freeze_args=()
[[ -z $FREEZE ]] || read -r -a freeze_args <<< "--freeze $FREEZE"
case "$CUT" in
  default) cut_args=(); label="default (no --scorer)"; result=bench/recon/result-recover.json ;;
  uniform) cut_args=(--search-budget 0 --samples 64 --seq-len 256); label="uniform sequential refit, 64 x 256"; result=bench/recon/result-recover-uniform.json ;;
  *) echo "recover.sh: CUT=$CUT: use default or uniform" >&2; exit 2 ;;
esac
S=../shared
DENSE=$S/models/mini-vina
TRAIN=("$S/data/vi/train/wiki.txt" "$S/data/vi/train/legal.txt")
VALID=("$S/data/vi/valid/wiki.txt" "$S/data/vi/valid/legal.txt")
command -v jq >/dev/null || { echo "recover.sh: needs jq" >&2; exit 2; }
[[ -d $DENSE ]] || { echo "recover.sh: needs $DENSE (the ../shared folder)" >&2; exit 2; }
mvn -B -q -o package -pl cli -am -DskipTests >&2
mkdir -p "$OUT"
ppl() { bin/prunekit eval "$1" --text "${VALID[@]}" --ctx 256 --json 2>/dev/null | jq -r .perplexity; }

if [[ ! -f $OUT/pruned/pruned/config.json ]]; then
  start=$(date +%s)
  bin/prunekit prune "$DENSE" --calib "${TRAIN[@]}" --keep-ratio 0.386 --scope layers "${cut_args[@]}" --overwrite \
      --out "$OUT/pruned" >&2
  echo "$(( $(date +%s) - start ))" > "$OUT/prune-seconds"
fi
P_DENSE=$(ppl "$DENSE")
P_PRUNED=$(ppl "$OUT/pruned/pruned")
rows=()
for loss in $LOSSES; do
  run=$OUT/$loss
  [[ "$BATCH/$LR/$MIN_LR" == 16/1e-3/1e-4 ]] || run=$OUT/$loss-b$BATCH-lr$LR-$MIN_LR
  [[ $HIDDEN_WEIGHT == 0 ]] || run=$run-h$HIDDEN_WEIGHT-${HIDDEN_LAYERS:-last}
  [[ $SEED == 1234 ]] || run=$run-s$SEED
  [[ -z $FREEZE ]] || run=$run-frozen-$(echo "$FREEZE" | tr -c 'a-z_\n' '_')
  if ! { [[ -f $run/recover.json ]] && jq -e .finished "$run/recover.json" >/dev/null; }; then
    resume=()
    [[ -d $run/checkpoints ]] && resume=(--resume)
    echo "recover.sh: $loss, 1M tokens" >&2
    bin/prunekit recover "$OUT/pruned/pruned" --teacher "$DENSE" --data "${TRAIN[@]}" --valid "${VALID[@]}" \
      --tokens 1M --mode full --loss "$loss" --alpha "$ALPHA" --temperature 1 --lr "$LR" --min-lr "$MIN_LR" --warmup 10 \
      --weight-decay 0 --clip 1.0 --batch "$BATCH" --seq 256 --seed "$SEED" "${hidden_args[@]}" "${freeze_args[@]}" --out "$run" "${resume[@]}" >&2
  fi
  p=$(ppl "$run/recovered")
  rows+=("$(jq -c --argjson p "$p" --arg alpha "$ALPHA" --argjson b "$BATCH" --arg lr "$LR" --arg mlr "$MIN_LR" \
      --argjson hw "$HIDDEN_WEIGHT" --arg hl "${HIDDEN_LAYERS:-last}" --arg fr "$FREEZE" --argjson seed "$SEED" \
      '{loss, hidden_weight: $hw, hidden_layers: (if $hw == 0 then null else $hl end), frozen: (if $fr == "" then null else $fr end), seed: $seed, alpha: (if .loss == "mix" then ($alpha | tonumber) else null end), batch: $b, lr: ($lr | tonumber),
        min_lr: ($mlr | tonumber), steps, tokens, seconds, tokens_per_second, best_step, perplexity: $p}' "$run/recover.json")")
done
json=$(printf '%s\n' "${rows[@]}" | jq -s -c --argjson d "$P_DENSE" --argjson u "$P_PRUNED" \
  --arg ps "$(cat "$OUT/prune-seconds" 2>/dev/null || echo null)" \
  '{model: "mini-vina", keep_ratio: 0.386, scope: "layers", recipe: "'"$label"'", prune_args: "'"${cut_args[*]}"'", dense_perplexity: $d,
    pruned_perplexity: $u, prune_wall_s: ($ps | tonumber? // null), cores: '"$(nproc)"', runs: .}')
result=${RESULT:-$result}
echo "$json" > "$result"
echo "$json"
