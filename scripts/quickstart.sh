#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is needed, builds build/rescope, and runs the main job on the bundled
# sample checkpoint: list it, then move scope model_1/layer_a to model_3/layer_a.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target rescope
sample=testdata/scopes/model.ckpt
echo "\$ build/rescope ls $sample"
build/rescope ls "$sample"
if build/rescope --help | grep -q ' rename'; then
  out="$(mktemp -d)/renamed.ckpt"
  echo
  echo "\$ build/rescope rename $sample -o $out --rule model_1/layer_a/=model_3/layer_a/"
  build/rescope rename "$sample" -o "$out" --rule model_1/layer_a/=model_3/layer_a/
  echo
  echo "\$ build/rescope ls $out --tree"
  build/rescope ls "$out" --tree
fi
