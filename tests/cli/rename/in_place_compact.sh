# --in-place with --compact would replace the data shard before the index; refused.
mkdir "$TMP/w"
cp testdata/scopes/model.ckpt.* "$TMP/w/"
$RESCOPE rename "$TMP/w/model.ckpt" -o "$TMP/w/model.ckpt" --in-place --compact \
  --drop model_1/layer_a/ >/dev/null
code=$?
ls -A "$TMP/w"
cmp "$TMP/w/model.ckpt.index" testdata/scopes/model.ckpt.index && echo "input unchanged"
exit $code
