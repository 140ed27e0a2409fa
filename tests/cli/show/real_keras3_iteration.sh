# needs: real
# Adam's iteration count, /optimizer/vars/0 of model.weights.h5 in the zip:
# h5dump -d /optimizer/vars/0 model.weights.h5 (extracted with unzip) prints (0): 25, H5T_STD_I64LE, SCALAR.
cd "$REAL" && "$RESCOPE" show keras3-custom-model-with-adam-keras-zip/fixed_model.keras optimizer/vars/0
