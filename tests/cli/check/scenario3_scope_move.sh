# Scenario 3: saved under model_1/, the model expects model_3/. check fails naming the
# missing and the unused variables, and --suggest-map proposes exactly one scope rule.
$RESCOPE check testdata/scenario3/model.ckpt --expect testdata/scenario3/expected.json \
  --suggest-map "$TMP/map.json" | sed "s|$TMP|\$TMP|"
code=${PIPESTATUS[0]}
cat "$TMP/map.json"
exit "$code"
