# A TF1 SavedModel (a meta graph without an object graph: its graph restores the variables
# by their names) renamed into a directory is refused: exit 2, nothing written. The
# saved_model.pb is built byte by byte from saved_model.proto and meta_graph.proto
# (GRAPHS.md §1.2, §1.3): schema version 1, one meta graph whose meta_info_def has the tag
# "serve"; variables/ is the TF1-style sample checkpoint.
mkdir -p "$TMP/sm/variables"
cp testdata/scopes/model.ckpt.index "$TMP/sm/variables/variables.index"
cp testdata/scopes/model.ckpt.data-00000-of-00001 "$TMP/sm/variables/variables.data-00000-of-00001"
printf '\010\001\022\011\012\007\042\005serve' >"$TMP/sm/saved_model.pb"
$RESCOPE rename "$TMP/sm" --rule model_1/layer_a/=model_3/layer_a/ -o "$TMP/new/"
code=$?
ls -A "$TMP"
exit $code
