#!/usr/bin/env bash
# The step-time table of the README: featviz against PyTorch on the same CPU, same workload, same thread
# count, interleaved so that both see the same machine. Prints one row per workload with the medians of
# ROUNDS runs of each program and the featviz/PyTorch ratios. The "lucid" row times featviz's default preset
# (Fourier + decorrelated colour, Lucid's transforms, Adam) against Lucent's render_vis defaults written in
# PyTorch (bench/torch_lucid.py); its random scaling feeds the network 11 sizes, so both programs first run
# LUCID_WARMUP untimed steps (every size is then likely to have come once) and time LUCID_STEPS.
#   bench/run.sh                 # ROUNDS=3 STEPS=8 SIZE=224 LUCID_WARMUP=24 LUCID_STEPS=16
#   ROUNDS=1 STEPS=3 SIZE=112 bench/run.sh   # a quick look
#   ROWS="vgg19 1 lucid" bench/run.sh         # one row
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-8}
SIZE=${SIZE:-224}
THREADS=${THREADS:-$(nproc)}
LUCID_WARMUP=${LUCID_WARMUP:-24}
LUCID_STEPS=${LUCID_STEPS:-16}
PY=/usr/bin/python3

if ! "$PY" -c 'import torch, torchvision' 2>/dev/null; then
  echo "installing Debian's python3-torch and python3-torchvision (the peer)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq python3-torch python3-torchvision >/dev/null
fi
[ -f target/featviz.jar ] || mvn -B -q package -DskipTests

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# ROWS="vgg19 1 lucid;vgg19 1" picks rows (model, batch, optional preset) instead of the whole table.
IFS=';' read -r -a rows <<< "${ROWS:-vgg19 1;vgg19 8;resnet50 1;resnet50 8;vgg19 1 lucid}"
for round in $(seq "$ROUNDS"); do
  for row in "${rows[@]}"; do
    set -- $row
    echo "round $round: $row" >&2
    if [ "${3:-}" = lucid ]; then
      ./featviz bench --model "$1" --batch "$2" --size "$SIZE" --steps "$LUCID_STEPS" --warmup "$LUCID_WARMUP" \
        --json >> "$out/featviz-$1-$2-lucid.jsonl"
      OMP_NUM_THREADS=$THREADS "$PY" bench/torch_lucid.py --model "$1" --batch "$2" --size "$SIZE" \
        --steps "$LUCID_STEPS" --warmup "$LUCID_WARMUP" --threads "$THREADS" >> "$out/torch-$1-$2-lucid.jsonl"
      continue
    fi
    # The peer's workload: pixels, no transforms, Adam (maximize's default preset adds Fourier + transforms).
    ./featviz bench --model "$1" --batch "$2" --size "$SIZE" --steps "$STEPS" --preset tutorial --optimizer adam \
      --json >> "$out/featviz-$1-$2.jsonl"
    OMP_NUM_THREADS=$THREADS "$PY" bench/torch_peer.py --model "$1" --batch "$2" --size "$SIZE" --steps "$STEPS" \
      --threads "$THREADS" >> "$out/torch-$1-$2.jsonl"
  done
done

"$PY" - "$out" "${rows[@]}" <<'PYEOF'
import json, statistics, sys
out, rows = sys.argv[1], sys.argv[2:]
def load(name):
    return [json.loads(l) for l in open(f"{out}/{name}.jsonl")]
print(f"{'workload':<18}{'featviz ms/img':>15}{'torch ms/img':>13}{'ratio':>7}{'GFLOP/s':>9}"
      f"{'featviz RSS MB':>15}{'torch RSS MB':>13}{'RSS ratio':>10}{'start s':>8}")
for row in rows:
    model, batch, *preset = row.split()
    tag = "-".join([model, batch] + preset)
    f, t = load(f"featviz-{tag}"), load(f"torch-{tag}")
    fm = statistics.median(r["ms_per_image"] for r in f)
    tm = statistics.median(r["ms_per_image"] for r in t)
    fr = statistics.median(r["peak_rss_mb"] for r in f)
    tr = statistics.median(r["peak_rss_mb"] for r in t)
    gf = statistics.median(r["gflops"] for r in f)
    st = statistics.median(r["start_to_first_step_s"] for r in f)
    print(f"{model + ' batch ' + batch + ''.join(' ' + p for p in preset):<18}{fm:>15.0f}{tm:>13.0f}{fm / tm:>7.2f}{gf:>9.1f}{fr:>15.0f}{tr:>13.0f}"
          f"{fr / tr:>10.2f}{st:>8.2f}")
if any(len(r.split()) > 2 for r in rows):
    print("lucid: featviz's default preset against Lucent's render_vis defaults in PyTorch (bench/torch_lucid.py);"
          " mean network input side, featviz " + ", ".join(
              f"{statistics.median(r['mean_input_px'] for r in load('featviz-' + '-'.join(row.split()))):.0f}"
              for row in rows if len(row.split()) > 2)
          + " px, Lucent-style " + ", ".join(
              f"{statistics.median(r['mean_input_px'] for r in load('torch-' + '-'.join(row.split()))):.0f}"
              for row in rows if len(row.split()) > 2) + " px")
PYEOF
