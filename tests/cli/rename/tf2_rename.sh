# needs: real
# TF2: renaming a Keras layer scope rewrites the object graph into an extra shard; the
# output verifies and lists the renamed keys with their slots.
set -e
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" \
  --rule layer_with_weights-1/=dense_mid/ -o "$TMP/w/out" | sed "s|$TMP|\$TMP|g"
ls "$TMP/w"
$RESCOPE verify "$TMP/w/out"
$RESCOPE ls "$TMP/w/out" | grep '^dense_mid/'
