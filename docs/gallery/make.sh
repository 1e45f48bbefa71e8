#!/usr/bin/env bash
# Regenerates the README gallery with glint itself: one before/after pair per line below.
# Run from the repository root: docs/gallery/make.sh
set -euo pipefail
glint=${GLINT:-target/release/glint}
src=docs/sample/flower.jpg
out=docs/gallery
while read -r name ops; do
  "$glint" process "$src" --ops "resize:240x/$ops/format:jpeg:q=85" -o "$out/$name.jpg"
done <<'LIST'
original  resize:240x
enhance   enhance
sharpen   sharpen:1.2:amount=1.5
blur      blur:3
median    median:3
edges     edges
emboss    emboss
clahe     clahe:clip=3
hue       hue:120
sepia     sepia
temperature temperature:60
levels    levels:40,220,1.3
LIST
