# An output whose extension names no format rescope writes (.onnx, .npz, .tflite) is refused
# (exit 2) with the formats and their extensions, and nothing is written; so is a rename
# whose output name says another format than the input's. --to tf_bundle takes any name.
for out in out.onnx out.npz model.tflite; do
  $RESCOPE convert testdata/scopes/model.ckpt "$TMP/$out" 2>"$TMP/err"
  echo "convert $out: exit $?"
done
sed "s|$TMP|TMP|g" "$TMP/err"
$RESCOPE rename testdata/scopes/model.ckpt -o "$TMP/renamed.safetensors" --rule global_step=step \
  >/dev/null 2>"$TMP/err"
echo "rename to .safetensors: exit $?"
sed "s|$TMP|TMP|g" "$TMP/err" | head -1
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/out.pt" --to safetensors 2>"$TMP/err"
echo "--to safetensors out.pt: exit $?"
ls "$TMP"
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/tf.onnx" --to tf_bundle | sed "s|$TMP|TMP|g"
# Once the format is chosen, TF prefixes and torch.save files take any name: a renamed
# bundle under a dotted prefix, a PyTorch Lightning-style .ckpt; a safetensors rename to
# .st is refused.
$RESCOPE rename testdata/scopes/model.ckpt -o "$TMP/backup.v2" --rule global_step=step |
  tail -n 1 | sed "s|$TMP|TMP|g"
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/lightning.ckpt" --to pytorch | sed "s|$TMP|TMP|g"
$RESCOPE rename "$TMP/lightning.ckpt" -o "$TMP/renamed.ckpt" --rule global_step=step |
  tail -n 1 | sed "s|$TMP|TMP|g"
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/m.safetensors" >/dev/null
$RESCOPE rename "$TMP/m.safetensors" -o "$TMP/m.st" --rule global_step=step >/dev/null 2>&1
echo "rename safetensors to .st: exit $?"
exit 0
