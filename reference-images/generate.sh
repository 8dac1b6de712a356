#!/usr/bin/env bash
# Renders the reference set into DIR (default: this directory) with the built launcher ./featviz.
# CI runs it into a temporary directory and compares: featviz compare reference-images/ DIR.
# To update the references after an intended change: mvn -B -q package -DskipTests && reference-images/generate.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "${1:-$here}"
out="$(cd "${1:-$here}" && pwd)"
cd "$here/.."

# VGG19 with seeded random weights (no download), 64 px, 8 Adam steps from seeded noise; channels
# that respond to it (a dead channel has no gradient and would leave the start noise untouched).
common=(--model vgg19 --weights random --size 64 --steps 8 --seed 0 --quiet)
./featviz maximize "${common[@]}" --layer block1_conv2 --index 3 --output "$out/vgg19_block1_conv2_3.png"
./featviz maximize "${common[@]}" --layer block3_conv1 --index 2 --output "$out/vgg19_block3_conv1_2.png"
./featviz maximize "${common[@]}" --layer block5_conv4 --index 4 --output "$out/vgg19_block5_conv4_4.png"
