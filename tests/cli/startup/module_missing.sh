# needs: real
# Without the HDF5 support module an HDF5 file is refused (exit 2) with a message naming
# the path looked for and what to do; TF checkpoints still work.
export RESCOPE_HDF5_MODULE=$TMP/no-such-module.so
"$RESCOPE" ls "$REAL"/hls4ml-keras2_0_0-3layer-weights-only-h5/*.h5
echo "exit $?"
"$RESCOPE" ls testdata/scopes/model.ckpt | head -1
