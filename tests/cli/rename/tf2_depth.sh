# needs: real
# TF2: a rename that changes the depth of an object path cannot be expressed in the
# object graph; refused, nothing written.
mkdir "$TMP/w"
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" \
  --rule layer_with_weights-1/=a/b/ -o "$TMP/w/out" >/dev/null
code=$?
ls -A "$TMP/w"
exit $code
