# needs: real
# Keras 2.14.0 full model: 63 datasets, new optimizer layout Adam/m/<layer>/<var>.
# Expected: weight_names / dataset headers from h5dump -A and h5dump -H -A 0 -d (PROVENANCE.md).
cd "$REAL" && "$RESCOPE" ls mlperf-tiny-str-ww-keras2_14_0-full-h5/str_ww_ref_model.h5
