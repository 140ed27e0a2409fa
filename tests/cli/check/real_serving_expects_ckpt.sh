# needs: real
# The serving export restores the 21 model variables; checked against it, the training
# checkpoint at step 1000 is compatible and its 39 optimizer entries are unused
# (PROVENANCE.md: tfx-estimator-chicago-taxi-serving-savedmodel).
$RESCOPE check "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" \
  --expect "$REAL/tfx-estimator-chicago-taxi-serving-savedmodel"
