# needs: real
# TF2: --dry-run runs the object-graph rewrite the real run runs: a move of an object to
# another depth is refused by the dry run too (exit 2, no plan printed as if it worked).
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" --rule layer_with_weights-1/=a/b/ --dry-run
echo "exit $?"
# --json: the refusal is in the plan's "errors" list.
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" --rule layer_with_weights-1/=a/b/ \
  --dry-run --json | grep -A1 '"errors"' | cut -c1-50
