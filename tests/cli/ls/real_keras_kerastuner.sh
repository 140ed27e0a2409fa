# needs: real
# KerasTuner (2.2.4-tf) weights only: names follow weight_names (group dense holds dense_3/...).
# Expected: weight_names / dataset headers from h5dump -A and h5dump -H -A 0 -d (PROVENANCE.md).
cd "$REAL" && "$RESCOPE" ls kerastuner-keras2_2_4tf-weights-only-h5/default-default-4c187b34628a4d98918122f7b9301cfa-1556841981-weights.h5
