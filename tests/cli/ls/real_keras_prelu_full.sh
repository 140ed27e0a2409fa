# needs: real
# Keras 2.13.1 full model: the one PReLU alpha [25]; top_level_model_weights is empty.
# Expected: weight_names / dataset headers from h5dump -A and h5dump -H -A 0 -d (PROVENANCE.md).
cd "$REAL" && "$RESCOPE" ls hls4ml-keras2_13_1-prelu-full-model-h5/prelu.h5
