# needs: real
# `ls --json` of real checkpoints (TF1 and TF2 bundles, a SavedModel, Keras HDF5) used as
# the manifest for checking the same checkpoint: compatible, every entry restorable.
for c in tfx-estimator-wide-deep-3ckpts/model.ckpt-1000 \
         tfx-estimator-chicago-taxi-serving-savedmodel \
         tfranking-bert-lite-tf2-checkpoint-save-counter \
         t2t-transformer-2shard-adam \
         hls4ml-keras2_13_1-prelu-full-model-h5/prelu.h5; do
  $RESCOPE ls --json "$REAL/$c" >"$TMP/manifest.json" || echo "ls failed: $c"
  $RESCOPE check "$REAL/$c" --expect "$TMP/manifest.json" >"$TMP/out"
  echo "$c: exit $? $(head -1 "$TMP/out")"
done
