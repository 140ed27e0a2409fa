# Scenario 3 end to end: suggest a map, rename with it, check again (exit 0), and diff the
# values of the original (mapped by the same rule) against the renamed copy.
$RESCOPE check testdata/scenario3/model.ckpt --expect testdata/scenario3/expected.json \
  --suggest-map "$TMP/map.json" >/dev/null
echo "check before: exit $?"
$RESCOPE rename testdata/scenario3/model.ckpt --map "$TMP/map.json" -o "$TMP/renamed.ckpt" |
  sed "s|$TMP|\$TMP|"
echo "rename: exit ${PIPESTATUS[0]}"
$RESCOPE diff --rule model_1/=model_3/ --values testdata/scenario3/model.ckpt "$TMP/renamed.ckpt"
echo "diff: exit $?"
$RESCOPE check "$TMP/renamed.ckpt" --expect testdata/scenario3/expected.json --all
