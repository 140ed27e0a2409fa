# needs: real
# Values from: h5dump -m %.9g -d /model_weights/fc2/fc2/kernel:0 keras_model.keras
# (0.289690256, 0.398092747, -0.473480225, ...), written as shortest float32 decimals.
cd "$REAL" && "$RESCOPE" show --json hls4ml-keras2_11_0-hdf5-named-dot-keras/keras_model.keras fc2/kernel
