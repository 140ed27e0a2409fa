# Scenario 1 with a model whose layer2 has 5 outputs and float64 layer1 biases: the
# mismatches are named with both sides, and nothing is reported missing or unused.
sed -e 's/"layer2\/weights", "dtype": "float32", "shape": \[3, 2\], "bytes": 24/"layer2\/weights", "dtype": "float32", "shape": [3, 5], "bytes": 60/' \
    -e 's/"layer1\/biases", "dtype": "float32", "shape": \[3\], "bytes": 12/"layer1\/biases", "dtype": "float64", "shape": [3], "bytes": 24/' \
    testdata/scenario1/expected.json >"$TMP/expected.json"
$RESCOPE check testdata/scenario1/model.ckpt --expect "$TMP/expected.json"
