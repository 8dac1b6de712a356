#!/usr/bin/env bash
# Issue 16's quality table, measured on the embedded Fashion-MNIST model with featviz commands only: for each
# preset named on the command line, the 10 class renders (class(NAME), 28 px) and relu5's channels $CHANNELS
# (one whole-layer job), each scored against real test images (maximize --examples):
#   - transferability: how many of the 10 class renders the second, independently trained network
#     (src/test/resources/featviz/fashion-mnist-b.zip) classifies as the class they were made for, and the model's own count;
#   - superstimulus ratio: the render's value of its unit over the best real image's (class logit; relu5 channel mean);
#   - plausibility: cosine similarity at the penultimate layer (gap) to the mean of the unit's top real images;
#   - seconds per render (the render loop's own time: steps x seconds per step; a relu5 render's share of its batch).
# Class renders of the presets are interleaved (class by class), so every preset sees the same machine load.
# Prints a Markdown table on stdout; progress on stderr.
#   bench/quality.sh tutorial lucid                       # PER_CLASS=20 real images a class, CHANNELS=0-7
#   PER_CLASS=100 CHANNELS=0-31 bench/quality.sh tutorial lucid maco
# A preset written NAME+spectrum runs NAME with --spectrum-from the real images (MACO's magnitude spectrum of
# Fashion-MNIST instead of ImageNet's):  bench/quality.sh lucid maco maco+spectrum
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/quality.sh PRESET..." >&2; exit 2; }
PER_CLASS=${PER_CLASS:-20}
CHANNELS=${CHANNELS:-0-7}
SIZE=${SIZE:-28}
STEPS=${STEPS:-}   # empty: each preset's own number of steps
SECOND=src/test/resources/featviz/fashion-mnist-b.zip
[ -f target/featviz.jar ] || mvn -B -q package -DskipTests

work=${WORK:-$(mktemp -d)}
[ -n "${WORK:-}" ] || trap 'rm -rf "$work"' EXIT
# Real images: the first PER_CLASS test images of each class, as PNGs, in one folder (--examples reads one level).
java -cp 'target/featviz.jar:target/lib/*' featviz.dataset.ExportPngs "$work/classes" "$PER_CLASS" >&2
mkdir -p "$work/real"
for d in "$work"/classes/*/; do
  for f in "$d"*.png; do cp "$f" "$work/real/$(basename "$d")_$(basename "$f")"; done
done
classes=$(ls "$work/classes")
# "maco+spectrum" -> the preset maco, with the real images' magnitude spectrum
preset_args() {
  case "$1" in
    *+spectrum) echo "--preset ${1%+spectrum} --spectrum-from $work/real" ;;
    *) echo "--preset $1" ;;
  esac
}

for c in $classes; do
  for p in "$@"; do
    echo "class $c, preset $p" >&2
    mkdir -p "$work/$p/classes"
    ./featviz maximize --model fashion-mnist --objective "class($c)" --size "$SIZE" $(preset_args "$p") ${STEPS:+--steps "$STEPS"} \
        --examples "$work/real" --output "$work/$p/classes/$c.png" --json --quiet >> "$work/$p/classes.jsonl"
  done
done
for p in "$@"; do
  echo "relu5 $CHANNELS, preset $p" >&2
  ./featviz maximize --model fashion-mnist --layer relu5 --index "$CHANNELS" --batch 8 --size "$SIZE" $(preset_args "$p") ${STEPS:+--steps "$STEPS"} \
      --examples "$work/real" --output "$work/$p/relu5/" --json --quiet > "$work/$p/relu5.jsonl"
done

median='sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end'
fmt() { jq -r "if . == null then \"n/a\" else (. * 1000 | round / 1000 | tostring) end" <<< "$1"; }
echo "| preset | steps | class renders recognised by the second model (own model) | class superstimulus, median (min) | class plausibility, median | relu5 $CHANNELS superstimulus, median (min-max) | relu5 plausibility, median | s per class render | s per relu5 render |"
echo "|---|---|---|---|---|---|---|---|---|"
for p in "$@"; do
  cls="$work/$p/classes.jsonl"
  lay="$work/$p/relu5.jsonl"
  # predict's JSON: one row per image; a render is recognised when the top label is the class its file is named for
  # --size: the second model ends in a global average pool, so nothing in it fixes its input size; the renders
  # are $SIZE px, which is also what predict takes without --size (the images' own size).
  hits() { ./featviz predict "$work/$p/classes/"*.png --model "$1" --size "$SIZE" --top 1 --json 2>/dev/null \
      | jq '[.[] | select((.image | split("/") | last | rtrimstr(".png")) == .predictions[0].label)] | length'; }
  second=$(hits "$SECOND")
  own=$(hits fashion-mnist)
  steps=$(jq -s '.[0].steps' "$cls")
  css=$(jq -s "[.[].quality.superstimulus] | $median" "$cls")
  csmin=$(jq -s '[.[].quality.superstimulus] | min' "$cls")
  cpl=$(jq -s "[.[].quality.plausibility] | $median" "$cls")
  lss=$(jq -s "[.[].quality.superstimulus] | $median" "$lay")
  lmin=$(jq -s '[.[].quality.superstimulus] | min' "$lay")
  lmax=$(jq -s '[.[].quality.superstimulus] | max' "$lay")
  lpl=$(jq -s "[.[].quality.plausibility] | $median" "$lay")
  csec=$(jq -s "[.[] | .steps * .seconds_per_step] | $median" "$cls")
  lsec=$(jq -s "[.[].seconds] | $median" "$lay")
  echo "| $p | $steps | $second of 10 ($own) | $(fmt "$css") ($(fmt "$csmin")) | $(fmt "$cpl") | $(fmt "$lss") ($(fmt "$lmin")-$(fmt "$lmax")) | $(fmt "$lpl") | $(fmt "$csec") | $(fmt "$lsec") |"
done
