# needs: real
# With --model-only the optimizer entries (and global_step, on both sides) are set aside
# instead of reported unused; the 20 model weights restore.
$RESCOPE check "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" \
  --expect "$REAL/tfx-estimator-chicago-taxi-serving-savedmodel" --model-only
