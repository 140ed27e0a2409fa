# needs: real
# convert --dry-run to a tensor bundle runs the object-graph rewrite the real run runs: a
# move of an object to another depth fails the dry run (exit 2), as the real run does.
$RESCOPE convert "$REAL/tfx-keras-savedmodel-adam-slots/variables" "$TMP/out" \
  --rule layer_with_weights-1/=a/b/ --dry-run
