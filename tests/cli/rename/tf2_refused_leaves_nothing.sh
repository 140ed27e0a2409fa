# needs: real
# A refused TF2 rename into directories that do not exist yet leaves no directory behind
# (outputs appear only when complete).
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" --rule layer_with_weights-1/=a/b/ -o "$TMP/new/sub/" >/dev/null 2>&1
echo "exit $?"
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" --rule layer_with_weights-1/=a/b/ -o "$TMP/new2/ckpt" >/dev/null 2>&1
echo "exit $?"
ls -A "$TMP"
