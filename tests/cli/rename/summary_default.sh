# A real rename prints a summary, not the plan: the counts, one line per rule (the scope
# rule moves layer_a's 2 variables and their 4 Adam slots; testdata/README.md), the files
# written. -v adds the plan name by name (what --dry-run shows).
set -e
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/=model_3/layer_a/ \
  -o "$TMP/a/model.ckpt" | sed "s|$TMP|\$TMP|g"
echo "-- -v"
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/=model_3/layer_a/ \
  -o "$TMP/b/model.ckpt" -v | sed "s|$TMP|\$TMP|g"
