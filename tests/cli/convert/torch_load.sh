# needs: real
# PyTorch files rescope writes are loaded by torch itself (the judge environment's,
# torch.load(weights_only=True)) and compared with what torch reads from the originals:
# tests/tools/torch_check.py says what each check is.
"$PY" -c 'import torch' 2>/dev/null ||
  { echo "skipped: judge python ($PY) lacks torch: scripts/make-judges-venv.sh" >&2; exit 77; }
T=$REAL/../torch
$RESCOPE rename $T/dataparallel_state_dict.pt --map maps/dataparallel/strip-module.json -o $TMP/stripped.pt >/dev/null &&
$RESCOPE rename $T/shared_and_views.pt --map tests/cli/convert/prefix_model.json -o $TMP/views.pt >/dev/null &&
$RESCOPE convert $T/dtypes.pt $TMP/dtypes/model.ckpt --to tf_bundle >/dev/null &&
$RESCOPE convert $TMP/dtypes/model.ckpt $TMP/dtypes.pt >/dev/null &&
$RESCOPE convert $T/plain_state_dict.pt $TMP/shards/pytorch_model.bin --max-shard-size 1000 >/dev/null &&
$RESCOPE convert testdata/scopes/model.ckpt $TMP/scopes.pt --map tests/cli/convert/transpose_map.json >/dev/null &&
$RESCOPE convert $REAL/keras-bert-google-run-pretraining-tf1_11-tiny-ckpt/bert_model.ckpt $TMP/bert.pt \
  --map maps/bert/tf1-to-hf-bertforpretraining.json >/dev/null &&
"$PY" tests/tools/torch_check.py $T $REAL $TMP
