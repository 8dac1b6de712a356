#!/usr/bin/env bash
# Trains featviz's two Fashion-MNIST classifiers from scratch with DL4J, seeded, and prints their test accuracy
# and training time:
#   models/fashion-mnist.zip                          model A (seed 1), the one `--model fashion-mnist` ships
#   src/test/resources/featviz/fashion-mnist-b.zip    model B (seed 2, another architecture), for tests
# The two run side by side, one thread each: on 2 cores that is faster than one after the other with 2
# threads each (ND4J's OpenMP threads spin and wait on each other: measured 0.39 s CPU per batch of 128 at one
# thread, 2.4 s at two, on a busy machine).
# Usage: models/train-fashion-mnist.sh [output-dir]   (default: the repository's own paths above)
set -euo pipefail
cd "$(dirname "$0")/.."

data="${FEATVIZ_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"
if [ ! -f "$data/t10k-labels-idx1-ubyte.gz" ]; then
  if [ -z "${FEATVIZ_FASHION_MNIST:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's dataset-fashion-mnist" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
  else
    echo "train-fashion-mnist: Fashion-MNIST not found in $data; install it with: apt-get install dataset-fashion-mnist" >&2
    exit 2
  fi
fi

mvn -B -q package -DskipTests
out_a="models/fashion-mnist.zip"
out_b="src/test/resources/featviz/fashion-mnist-b.zip"
if [ $# -ge 1 ]; then
  mkdir -p "$1"
  out_a="$1/fashion-mnist.zip"
  out_b="$1/fashion-mnist-b.zip"
fi
logs="$(mktemp -d)"
train() {
  OMP_NUM_THREADS=1 java -Xmx2g -cp "target/classes:target/lib/*" featviz.train.FashionMnistTrainer "$@"
}
start=$(date +%s)
train --arch a --seed 1 --epochs 3 --batch 128 --lr 0.003 --output "$out_a" >"$logs/a.log" 2>&1 &
pid_a=$!
train --arch b --seed 2 --epochs 2 --batch 128 --lr 0.003 --output "$out_b" >"$logs/b.log" 2>&1 &
pid_b=$!
status=0
wait $pid_a || status=$?
wait $pid_b || status=$?
for m in a b; do
  echo "== model $m"
  cat "$logs/$m.log"
done
echo "both trained in $(( $(date +%s) - start )) s wall (logs in $logs)"
if [ $status -ne 0 ]; then
  echo "train-fashion-mnist: a training run failed (exit $status)" >&2
fi
exit $status
