# needs: real
# diff of a TF2 checkpoint and its rename, with the same rule: the object graph is
# compared decoded with the map applied (it was rewritten, so its bytes differ), and the
# whole diff is "same"; no multi-KB string is printed.
set -e
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" --rule layer_with_weights-1/=dense_mid/ -o "$TMP/w/out" >/dev/null
$RESCOPE diff "$REAL/tfx-keras-savedmodel-adam-slots/variables" "$TMP/w/out" --rule layer_with_weights-1/=dense_mid/ --values
# Without the map, the graphs differ in the renamed edge (and the keys differ too).
$RESCOPE diff "$REAL/tfx-keras-savedmodel-adam-slots/variables" "$TMP/w/out" --values --filter _CHECKPOINTABLE_OBJECT_GRAPH || echo "exit $?"
# A map the object graph cannot follow (a move to another depth): a difference, not an error.
$RESCOPE diff "$REAL/tfx-keras-savedmodel-adam-slots/variables" "$TMP/w/out" --values \
  --rule layer_with_weights-1/=a/b/ --filter _CHECKPOINTABLE_OBJECT_GRAPH >"$TMP/d" ||
  echo "exit $?"
cut -c1-110 "$TMP/d"
