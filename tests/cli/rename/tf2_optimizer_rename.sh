# needs: real
# TF2: renaming the optimizer object moves its slot variables' keys too
# (<var>/.OPTIMIZER_SLOT/<optimizer path>/m); the object graph follows and the output
# verifies. 12 slot keys (PROVENANCE.md: Adam m/v of 3 Dense layers) + 6 optimizer keys.
set -e
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" --rule optimizer/=opt/ -o "$TMP/w/out" -v >"$TMP/plan"
grep -c '/.OPTIMIZER_SLOT/optimizer/.* -> .*/.OPTIMIZER_SLOT/opt/' "$TMP/plan"
tail -3 "$TMP/plan" | sed "s|$TMP|\$TMP|g"
$RESCOPE verify "$TMP/w/out"
$RESCOPE ls "$TMP/w/out" | grep -c '/.OPTIMIZER_SLOT/opt/'
$RESCOPE ls "$TMP/w/out" | grep -c 'optimizer/' || true
$RESCOPE diff "$REAL/tfx-keras-savedmodel-adam-slots/variables" "$TMP/w/out" --rule optimizer/=opt/ --values | head -1
