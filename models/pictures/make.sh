#!/usr/bin/env bash
# Remakes the README's pictures of the embedded Fashion-MNIST model and its worked "why" example, with featviz
# itself (after `mvn -B -q package -DskipTests`). Needs Debian's dataset-fashion-mnist (real test images) and
# imagemagick (montage, to lay the ten class renders side by side).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=models/pictures
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fv() { ./featviz "$@"; }

# The README's first command.
fv maximize --model fashion-mnist --objective "class(ankle_boot)" --output "$out/ankle-boot-112.png" --quiet

# Ten class renders at the training size, shown 4x.
labels=(t_shirt_top trouser pullover dress coat sandal shirt sneaker bag ankle_boot)
for l in "${labels[@]}"; do
  fv maximize --model fashion-mnist --objective "class($l)" --size 28 --output "$work/$l.png" --quiet
done
montage $(for l in "${labels[@]}"; do echo "$work/$l.png"; done) -filter point -resize 400% \
  -tile 10x1 -geometry +4+4 -background white "$out/fashion-mnist-classes.png"

# A contact sheet of the last convolution.
fv maximize --model fashion-mnist --layer relu5 --index 0-31 --batch 16 --output "$work/relu5/" --quiet
fv gallery "$work/relu5/" --output "$work/relu5-gallery/" > /dev/null
cp "$work/relu5-gallery/contact-sheet.png" "$out/fashion-mnist-relu5.png"

# The worked example: why does the 'bag' render look like a bag?
java -cp 'target/featviz.jar:target/lib/*' featviz.dataset.ExportPngs "$work/test" 100 > /dev/null
cp "$work/bag.png" "$out/bag-render.png"
fv predict "$out/bag-render.png" --model fashion-mnist,src/test/resources/featviz/fashion-mnist-b.zip --size 28 --top 3 \
  > "$out/bag-predict.txt"
# Short names for the plot's legend: the render and five real images, three bags and two trousers.
mkdir -p "$work/real"
cp "$out/bag-render.png" "$work/real/render.png"
i=0; for f in $(ls "$work"/test/bag/*.png | head -3); do i=$((i+1)); cp "$f" "$work/real/bag_$i.png"; done
i=0; for f in $(ls "$work"/test/trouser/*.png | head -2); do i=$((i+1)); cp "$f" "$work/real/trouser_$i.png"; done
repo=$PWD
(cd "$work/real" && "$repo/featviz" activations render.png bag_1.png bag_2.png bag_3.png trouser_1.png trouser_2.png \
  --model fashion-mnist --layer relu5 --top 5 --csv "$work/acts.csv" --plot "$repo/$out/bag-activations.png" -q) \
  > "$out/bag-activations.txt"
fv embed "$work"/test/{bag,trouser,sandal,sneaker,ankle_boot,coat} --model fashion-mnist --layer relu5 \
  --probe "$out/bag-render.png" --output "$work/embed" -q > "$out/bag-embed.txt"
cp "$work/embed/tsne.png" "$out/bag-tsne.png"
echo "pictures written to $out"
