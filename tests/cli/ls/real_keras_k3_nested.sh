# needs: real
# Keras 3.15.0 .keras zip (nested container): 5 datasets; the root vars group is empty.
# Expected: h5ls -r and h5dump -H -A 0 -d of model.weights.h5 extracted from the zip.
cd "$REAL" && "$RESCOPE" ls keras3-nested-container-keras-zip/pre_pr22362_nested_container.keras
