#!/usr/bin/env bash
# The portable path (-Dfeatviz.ops=portable: libnd4j's ops only, the path ND4J's CUDA backend takes) against
# the CPU's default path, on the same workloads, interleaved; prints medians of ROUNDS runs and the ratio.
# Each row: a model and featviz bench options.
#   bench/portable.sh                          # ROUNDS=3, the Lucid preset on fashion-mnist (112 px) and VGG19 (224 px)
#   ROUNDS=1 STEPS=3 bench/portable.sh         # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-6}
BASE="-XX:+UseSerialGC -Xms64m -Xmx4g -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=5000"
[ -f target/featviz.jar ] || mvn -B -q package -DskipTests
rows=("--model fashion-mnist" "--model vgg19 --weights random --size 224")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for round in $(seq "$ROUNDS"); do
  for i in "${!rows[@]}"; do
    for ops in native portable; do
      echo "round $round: ${rows[$i]} ($ops)" >&2
      JAVA_OPTS="$BASE -Dfeatviz.ops=$ops" ./featviz bench ${rows[$i]} --steps "$STEPS" --warmup 2 --json \
        >> "$out/$i-$ops.jsonl"
    done
  done
done
python3 - "$out" "${rows[@]}" <<'PYEOF'
import json, statistics, sys
out, rows = sys.argv[1], sys.argv[2:]
def med(i, ops):
    runs = [json.loads(l) for l in open(f"{out}/{i}-{ops}.jsonl") if l.strip()]
    return statistics.median(r["ms_per_step"] for r in runs), len(runs)
print(f"{'workload':40} {'native ms':>10} {'portable ms':>12} {'ratio':>6}")
for i, row in enumerate(rows):
    (n, k), (p, _) = med(i, "native"), med(i, "portable")
    print(f"{row:40} {n:10.0f} {p:12.0f} {p / n:6.2f}   ({k} rounds)")
PYEOF
