# needs: real
# Keras 3.13.2 .keras zip: 20 datasets by path, optimizer/vars/0..13 in name order (10 before 2).
# Expected: h5ls -r and h5dump -H -A 0 -d of model.weights.h5 extracted from the zip.
cd "$REAL" && "$RESCOPE" ls keras3-custom-model-with-adam-keras-zip/fixed_model.keras
