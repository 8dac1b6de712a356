#!/usr/bin/env bash
# Issue 17 item 3's accuracy half, on the embedded Fashion-MNIST model with featviz commands only: what
# --precision bf16 changes in a render. Per unit (the ten class(NAME) logits, then relu5 channels $CHANNELS),
# the default preset at $SIZE px renders it three times: fp32 and bf16 with seed $SEED, and fp32 with seed
# $SEED+1 (how far two fp32 renders that differ only in their start noise and transforms are apart). Then:
#   - "last step": the objective maximize reports at its last step (objective_last: the transformed image,
#     in the render's own precision), bf16 against fp32, and fp32 seed+1 against fp32;
#   - "scored": each render's PNG scored with no transforms by one fp32 evaluation (maximize --start PNG
#     --param pixel --no-decorrelate --transforms none --steps 1: its first objective is the image's), so the
#     bf16 and the fp32 render are judged by the same arithmetic;
#   - "arithmetic": the fp32 render's PNG scored in bf16 against in fp32: the same image, only the
#     convolutions' number format differs;
#   - SSIM of the bf16 render and of the seed+1 render to the fp32 render (featviz compare);
#   - class renders: top-1 of the second, independently trained network (transferability) and of the model
#     itself (featviz predict, fp32), "+" where it is the class the render was made for.
# Differences are (x - fp32) / |fp32| in percent. Rerunning with the same WORK renders only the units not done yet. Prints a Markdown table on stdout; progress on stderr.
#   bench/bf16.sh                         # ten classes, relu5 channels 0-7, 28 px, seed 0
#   CHANNELS="" SIZE=56 bench/bf16.sh     # classes only, 56 px
# Needs a CPU with AVX512_BF16 or AMX (bf16 is refused elsewhere). Timings are not measured here (bench/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-28}
SEED=${SEED:-0}
CLASSES=${CLASSES:-"t_shirt_top trouser pullover dress coat sandal shirt sneaker bag ankle_boot"}
CHANNELS=${CHANNELS-"0 1 2 3 4 5 6 7"}
# One OpenMP thread per process by default: these 28 px renders are thousands of tiny parallel regions, which on
# a loaded machine spent most of their time waiting for the second thread (3+ min a render instead of 50 s at
# load 10). A 1-thread render wrote the same bytes as a 2-thread one. THREADS=2 for the ND4J default.
export OMP_NUM_THREADS=${THREADS:-1}
SECOND=src/test/resources/featviz/fashion-mnist-b.zip
[ -f target/featviz.jar ] || { echo "bench/bf16.sh: build first: mvn -B -q package -DskipTests" >&2; exit 2; }

work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{fp32,bf16,fp32-seed2,scored}
runs=(fp32 bf16 fp32-seed2)
precision() { [ "$1" = bf16 ] && echo bf16 || echo fp32; }
seed() { [ "$1" = fp32-seed2 ] && echo $((SEED + 1)) || echo "$SEED"; }

# render UNIT RUN OBJECTIVE-ARGS...: the default preset, JSON line into RUN/UNIT.json
render() {
  local unit=$1 run=$2; shift 2
  ./featviz maximize --model fashion-mnist "$@" --size "$SIZE" --seed "$(seed "$run")" --precision "$(precision "$run")" \
      --output "$work/$run/$unit.png" --json --quiet > "$work/$run/$unit.json"
}
# score UNIT RUN PRECISION OBJECTIVE-ARGS...: the objective of RUN's PNG as it is (no transforms), in PRECISION
score() {
  local unit=$1 run=$2 prec=$3; shift 3
  ./featviz maximize --model fashion-mnist "$@" --size "$SIZE" --start "$work/$run/$unit.png" --param pixel \
      --no-decorrelate --transforms none --optimizer adam --lr 1e-9 --steps 1 --redirect-relu 0 --precision "$prec" \
      --output "$work/scored/$unit.$run.$prec.png" --json --quiet | jq '.objective_first' > "$work/scored/$unit.$run.$prec"
}
measure() {
  local unit=$1; shift
  [ -s "$work/scored/$unit.fp32.bf16" ] && return # done in an earlier run on the same WORK
  echo "$unit" >&2
  for r in "${runs[@]}"; do render "$unit" "$r" "$@"; done
  for r in "${runs[@]}"; do score "$unit" "$r" fp32 "$@"; done
  score "$unit" fp32 bf16 "$@"
}
for c in $CLASSES; do measure "$c" --objective "class($c)"; done
for ch in $CHANNELS; do measure "relu5_$ch" --layer relu5 --index "$ch"; done

last() { jq '.objective_last' "$work/$2/$1.json"; }
scored() { cat "$work/scored/$1.$2.$3"; }
ssim() { ./featviz compare "$work/fp32/$1.png" "$work/$2/$1.png" --json 2>/dev/null | jq '.files[0].ssim' || true; }
# top1 RUN MODEL UNIT: the model's most probable label for RUN's render of UNIT
declare -A top1
for r in fp32 bf16; do
  for m in second own; do
    model=$([ $m = second ] && echo "$SECOND" || echo fashion-mnist)
    files=(); for c in $CLASSES; do files+=("$work/$r/$c.png"); done
    [ ${#files[@]} -gt 0 ] || continue
    while read -r unit label; do top1[$r.$m.$unit]=$label; done < <(./featviz predict "${files[@]}" --model "$model" \
        --size "$SIZE" --top 1 --json 2>/dev/null | jq -r '.[] | "\(.image | split("/") | last | rtrimstr(".png")) \(.predictions[0].label)"')
  done
done
pct() { jq -n "($1 - $2) / ($2 | fabs) * 100"; }
f3() { jq -r "if . == null then \"n/a\" else (. * 1000 | round / 1000 | tostring) end" <<< "$1"; }
f1() { jq -r "(. * 10 | round / 10) as \$x | (if \$x > 0 then \"+\" else \"\" end) + (\$x | tostring) + \"%\"" <<< "$1"; }
mark() { [ "$2" = "$1" ] && echo "$2 +" || echo "$2"; }

echo "| unit | last step fp32 | bf16 | diff | fp32 seed $((SEED + 1)) diff | scored fp32 render | scored bf16 render | diff | scored seed $((SEED + 1)) diff | arithmetic: fp32 render in bf16 | SSIM bf16 | SSIM seed $((SEED + 1)) | second model fp32 | bf16 | own fp32 | bf16 |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
: > "$work/diffs"
for unit in $CLASSES $(for ch in $CHANNELS; do echo "relu5_$ch"; done); do
  l32=$(last "$unit" fp32); l16=$(last "$unit" bf16); l32b=$(last "$unit" fp32-seed2)
  s32=$(scored "$unit" fp32 fp32); s16=$(scored "$unit" bf16 fp32); s32b=$(scored "$unit" fp32-seed2 fp32)
  a16=$(scored "$unit" fp32 bf16)
  dl=$(pct "$l16" "$l32"); dlb=$(pct "$l32b" "$l32"); ds=$(pct "$s16" "$s32"); dsb=$(pct "$s32b" "$s32"); da=$(pct "$a16" "$s32")
  kind=$([[ $unit == relu5_* ]] && echo relu5 || echo class)
  echo "$kind $dl $dlb $ds $dsb $da" >> "$work/diffs"
  if [ $kind = class ]; then
    preds="$(mark "$unit" "${top1[fp32.second.$unit]}") | $(mark "$unit" "${top1[bf16.second.$unit]}") | $(mark "$unit" "${top1[fp32.own.$unit]}") | $(mark "$unit" "${top1[bf16.own.$unit]}")"
  else
    preds="| | |"
  fi
  echo "| $unit | $(f3 "$l32") | $(f3 "$l16") | $(f1 "$dl") | $(f1 "$dlb") | $(f3 "$s32") | $(f3 "$s16") | $(f1 "$ds") | $(f1 "$dsb") | $(f1 "$da") | $(f3 "$(ssim "$unit" bf16)") | $(f3 "$(ssim "$unit" fp32-seed2)") | $preds |"
done

# Summary: median and largest |difference| per column and kind; transferability counts
median='sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end'
echo
echo "Differences to the fp32 render (seed $SEED): median of |difference|, largest |difference|, and mean difference (signed):"
echo
echo "| what | classes: median | largest | mean | relu5: median | largest | mean |"
echo "|---|---|---|---|---|---|---|"
names=("" "" "last step, bf16" "last step, fp32 seed $((SEED + 1))" "scored, bf16 render" "scored, fp32 seed $((SEED + 1))" \
       "arithmetic: the fp32 render scored in bf16")
for col in 2 3 4 5 6; do
  row="| ${names[$col]} |"
  for kind in class relu5; do
    vals=$(awk -v k=$kind -v c=$col '$1 == k { print $c }' "$work/diffs" | jq -s .)
    if [ "$(jq length <<< "$vals")" = 0 ]; then row="$row | | |"; continue; fi
    row="$row $(f1 "$(jq "map(fabs) | $median" <<< "$vals")" | tr -d +) | $(f1 "$(jq 'map(fabs) | max' <<< "$vals")" | tr -d +) | $(f1 "$(jq 'add / length' <<< "$vals")") |"
  done
  echo "$row"
done
count() { local n=0; for c in $CLASSES; do [ "${top1[$1.$2.$c]}" = "$c" ] && n=$((n + 1)); done; echo $n; }
nclasses=$(wc -w <<< "$CLASSES")
echo
echo "Class renders the second model recognises: fp32 $(count fp32 second) of $nclasses, bf16 $(count bf16 second);" \
     "the model itself: fp32 $(count fp32 own), bf16 $(count bf16 own). ($SIZE px, seed $SEED, default preset)"
