# needs: real
# Keras 2.11.0 full model named .keras but HDF5: 4 weights + optimizer iteration (int64 scalar).
# Offsets and sizes: h5dump -p -H -A 0 keras_model.keras (contiguous, 9376 ... 9560).
cd "$REAL" && "$RESCOPE" ls --json hls4ml-keras2_11_0-hdf5-named-dot-keras/keras_model.keras
