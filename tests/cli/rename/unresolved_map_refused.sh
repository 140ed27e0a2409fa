# A suggest-map draft that still lists unresolved names is refused (exit 2), naming them
# and saying what to do; nothing is written (issue 10).
cat >"$TMP/draft.json" <<'JSON'
{"rules": [{"scope": "model_1/layer_a", "to": "model_3/layer_a", "why": "2 variables ..."}],
 "unresolved": [{"to": "model_3/layer_b/weights",
                 "candidates": ["model_1/layer_b/weights", "model_2/layer_b/weights"],
                 "why": "2 candidates match the name equally well"}]}
JSON
$RESCOPE rename testdata/scopes/model.ckpt --map "$TMP/draft.json" -o "$TMP/out.ckpt"
code=$?
ls "$TMP" | grep -c out.ckpt
exit $code
