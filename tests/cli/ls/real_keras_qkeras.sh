# needs: real
# QKeras (Keras 2.2.4-tf) full model: 25 datasets; group fc1 holds weights fc1_1/...
# Expected: weight_names / dataset headers from h5dump -A and h5dump -H -A 0 -d (PROVENANCE.md).
cd "$REAL" && "$RESCOPE" ls hls4ml-qkeras-keras2_2_4tf-full-model-h5/QKERAS_3layer.h5
