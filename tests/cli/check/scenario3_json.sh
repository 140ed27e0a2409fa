# Scenario 3 as JSON: the counts, one item per name, and the suggested map inline.
$RESCOPE check testdata/scenario3/model.ckpt --expect testdata/scenario3/expected.json \
  --suggest-map "$TMP/map.json" --json
