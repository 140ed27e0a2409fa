# needs: real
# The serving export holds 21 tensors byte-identical to the same keys of the step-1000
# training checkpoint (PROVENANCE.md, also checked with python3 by comparing the bytes at
# the `ls --json` offsets); the training checkpoint adds 39 optimizer entries.
$RESCOPE diff --values "$REAL/tfx-estimator-chicago-taxi-serving-savedmodel" \
  "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000"
