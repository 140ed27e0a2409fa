# needs: real
# The same Keras 2.13.1 PReLU model saved as a full model and as weights only: one
# tensor, identical values (PROVENANCE.md).
$RESCOPE diff --values --all "$REAL/hls4ml-keras2_13_1-prelu-full-model-h5/prelu.h5" \
  "$REAL/hls4ml-keras2_13_1-prelu-weights-only-h5/prelu_weights.h5"
