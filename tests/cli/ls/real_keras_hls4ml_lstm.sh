# needs: real
# Keras 2.1.3 full model: 21 datasets, 16 of them optimizer state (Adam/iterations int64).
# Expected: weight_names / dataset headers from h5dump -A and h5dump -H -A 0 -d (PROVENANCE.md).
cd "$REAL" && "$RESCOPE" ls hls4ml-keras2_1_3-lstm-full-model-h5/KERAS_lstm_model_weights.h5
