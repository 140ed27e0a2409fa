# The scope move end to end: layer_a and its Adam slots move, layer_ab stays; the output
# lists, verifies, and the input is untouched.
set -e
before=$(cksum testdata/scopes/*)
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/=model_3/layer_a/ \
  -o "$TMP/w/out" | sed "s|$TMP|\$TMP|g"
$RESCOPE ls "$TMP/w/out"
$RESCOPE verify "$TMP/w/out"
ls "$TMP/w"
[ "$(cksum testdata/scopes/*)" = "$before" ] && echo "input unchanged"
