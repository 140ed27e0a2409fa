# Two sources renamed to one name: the plan fails, both sources are named, nothing is
# written (exit 2).
mkdir "$TMP/w"
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/weights=w \
  --rule model_2/layer_b/weights=w -o "$TMP/w/out"
code=$?
ls -A "$TMP/w"
exit $code
