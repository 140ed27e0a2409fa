# Scenario 2 built without reuse: the second call creates dense_layer_1/..., which the
# checkpoint does not have. No unused variable can stand in, so the suggestion names no
# candidate instead of guessing; --allow-missing then excuses them (exit 0).
cat >"$TMP/no_reuse.json" <<'JSON'
{"variables": [
  {"name": "dense_layer/weights", "dtype": "float32", "shape": [3, 3]},
  {"name": "dense_layer/biases", "dtype": "float32", "shape": [3]},
  {"name": "dense_layer_1/weights", "dtype": "float32", "shape": [3, 3]},
  {"name": "dense_layer_1/biases", "dtype": "float32", "shape": [3]}]}
JSON
$RESCOPE check testdata/scenario2/model.ckpt --expect "$TMP/no_reuse.json" --suggest-map "$TMP/map.json" |
  sed "s|$TMP|\$TMP|"
echo "exit ${PIPESTATUS[0]}"
cat "$TMP/map.json"
$RESCOPE check testdata/scenario2/model.ckpt --expect "$TMP/no_reuse.json" --allow-missing 'dense_layer_1/*'
