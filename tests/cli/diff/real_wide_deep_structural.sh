# needs: real
# Steps 999 and 1000 of the same Estimator: the same 60 names, dtypes and shapes.
$RESCOPE diff "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-999" \
  "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000"
echo "exit $?"
$RESCOPE diff "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-0" \
  "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000"
