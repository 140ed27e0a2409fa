# A manifest that is not one is a usage error (exit 2) naming the file and the field, before
# the checkpoint is even read.
cd "$TMP"
printf '{"schema_version": 1, "algorithm": "sha256", "files": {}, "tensors": {"w": {"sha256": "00", "dtype": "float32", "shape": []}}}' >bad.json
"$RESCOPE" verify "$SRC/testdata/scenario1/model.ckpt" --manifest bad.json
echo "exit $?"
"$RESCOPE" verify "$SRC/testdata/scenario1/model.ckpt" --manifest absent.json
echo "exit $?"
