# A transpose on a scope rule that also matches the 1-D biases and their slots: every tensor
# the permutation does not fit is an error before anything is written (exit 2, no file).
mkdir -p $TMP/o
$RESCOPE convert testdata/scopes/model.ckpt $TMP/o/out.safetensors --map tests/cli/convert/transpose_rank_error.json
code=$?
ls $TMP/o
exit $code
