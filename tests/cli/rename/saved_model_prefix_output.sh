# A SavedModel's variables renamed to a checkpoint prefix (not a directory): only the
# variables are written, and rescope warns that saved_model.pb is not part of the output.
# The SavedModel is the one of saved_model_tf1_refused.sh.
set -e
mkdir -p "$TMP/sm/variables"
cp testdata/scopes/model.ckpt.index "$TMP/sm/variables/variables.index"
cp testdata/scopes/model.ckpt.data-00000-of-00001 "$TMP/sm/variables/variables.data-00000-of-00001"
printf '\010\001\022\011\012\007\042\005serve' >"$TMP/sm/saved_model.pb"
$RESCOPE rename "$TMP/sm/variables/variables" --rule model_1/layer_a/weights=w \
  -o "$TMP/out.ckpt" | sed "s|$TMP|\$TMP|g"
ls -A "$TMP"
