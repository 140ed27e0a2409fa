# needs: real
# Keras 2 full model: renaming a layer moves its optimizer weights
# (optimizer_weights/Adam/fc1_1/kernel/m, PROVENANCE.md) with it, in weight_names too;
# --drop-optimizer removes the optimizer_weights group instead of leaving it empty.
set -e
Q="$REAL/hls4ml-qkeras-keras2_2_4tf-full-model-h5/QKERAS_3layer.h5"
$RESCOPE rename -v "$Q" --rule fc1_1/=enc/ -o "$TMP/r.h5" | grep -c 'optimizer_weights/Adam/fc1_1/.* -> optimizer_weights/Adam/enc/'
$RESCOPE ls "$TMP/r.h5" | grep -c 'optimizer_weights/Adam/enc/'
$RESCOPE ls "$TMP/r.h5" | grep -c 'fc1_1' || true
$RESCOPE diff "$Q" "$TMP/r.h5" --rule fc1_1/=enc/ --values | head -1
$RESCOPE rename "$Q" --drop-optimizer -o "$TMP/d.h5" | tail -2 | sed "s|$TMP|\$TMP|g"
$RESCOPE info "$TMP/d.h5" | grep -c optimizer_weights || true
