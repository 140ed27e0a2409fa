# needs: real
# Keras 2.0.0 weights only, fixed-length NULLPAD names: 8 datasets; input_1 has no weights.
# Expected: weight_names / dataset headers from h5dump -A and h5dump -H -A 0 -d (PROVENANCE.md).
cd "$REAL" && "$RESCOPE" ls hls4ml-keras2_0_0-3layer-weights-only-h5/KERAS_3layer_weights.h5
