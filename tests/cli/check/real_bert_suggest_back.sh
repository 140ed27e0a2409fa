# needs: real
# Issue 10: the tiny Google BERT converted to PyTorch with the shipped map, then asked for
# the map back. Intermediate [16, 4] and output [4, 16] weights are one transpose away from
# each other's kernels; the names (intermediate vs output) decide, never the shape. Every
# kernel~weight pair comes back with "transpose": true, the square [4, 4] attention kernels
# included. Applied, the map restores all 46 model tensors bit for bit (diff --values).
ckpt="$REAL/keras-bert-google-run-pretraining-tf1_11-tiny-ckpt/bert_model.ckpt"
$RESCOPE convert "$ckpt" "$TMP/pytorch_model.bin" \
  --map maps/bert/tf1-to-hf-bertforpretraining.json >/dev/null
$RESCOPE check "$TMP/pytorch_model.bin" --expect "$ckpt" --model-only \
  --suggest-map "$TMP/rev.json" >"$TMP/out"
echo "check: exit $?"
head -1 "$TMP/out"
sed -n '/^suggested map/,$p' "$TMP/out" | sed "s|$TMP|TMP|" | grep -E 'layer\.0\.|^suggested|unresolved'
grep -c '"transpose": true' "$TMP/rev.json"
grep -c '"why"' "$TMP/rev.json"
grep -A3 '"bert.encoder.layer.0.intermediate.dense.weight"' "$TMP/rev.json"
$RESCOPE rename "$TMP/pytorch_model.bin" --map "$TMP/rev.json" -o "$TMP/back.bin" |
  grep -E '^[0-9]+ renamed|^wrote' | sed "s|$TMP|TMP|"
$RESCOPE check "$TMP/back.bin" --expect "$ckpt" --model-only | head -1
$RESCOPE diff --values "$TMP/back.bin" "$ckpt" | head -1
