# needs: real
# Estimators keep Adagrad state as training/Adagrad/<var>/accumulator: a rename of
# dnn/hiddenlayer_0/ moves the layer's two accumulators with its two variables (the file
# holds 60 entries, so 56 stay).
$RESCOPE rename "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" \
  --rule dnn/hiddenlayer_0/=dnn/h0/ --dry-run
