# --in-place replaces a copy of the sample: a valid checkpoint remains, no temporary files.
set -e
mkdir "$TMP/w"
cp testdata/scopes/model.ckpt.* "$TMP/w/"
$RESCOPE rename "$TMP/w/model.ckpt" -o "$TMP/w/model.ckpt" --in-place \
  --rule model_1/layer_a/=model_3/layer_a/ | sed "s|$TMP|\$TMP|g"
ls -A "$TMP/w"
$RESCOPE verify "$TMP/w/model.ckpt"
$RESCOPE ls "$TMP/w/model.ckpt" | grep -c '^model_3/layer_a/'
