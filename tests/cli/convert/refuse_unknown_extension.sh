# An output whose extension names no format rescope writes (.onnx, .npz, .gguf) is refused
# (exit 2) with the formats and their extensions, and nothing is written; so is a rename
# whose output name says another format than the input's. --to tf_bundle takes any name.
for out in out.onnx out.npz model.gguf; do
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
exit 0
