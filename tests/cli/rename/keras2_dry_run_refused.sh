# needs: real
# Keras 2: --dry-run runs the Keras writer's checks too: an optimizer weight renamed out of
# optimizer_weights/ is refused by the dry run as by the real run (exit 2, no plan).
$RESCOPE rename "$REAL/hls4ml-qkeras-keras2_2_4tf-full-model-h5/QKERAS_3layer.h5" \
  --rule optimizer_weights/Adam/iter=iter --dry-run
