# needs: real
# Keras 2.13.1 weights only: p_re_lu/alpha float32 [25], contiguous at file offset 8192
# (h5dump -p -H -A 0 prelu_weights.h5: SIZE 100, OFFSET 8192).
cd "$REAL" && "$RESCOPE" ls --json hls4ml-keras2_13_1-prelu-weights-only-h5/prelu_weights.h5
