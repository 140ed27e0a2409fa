# --color=always colours the check report as git diff would: the verdict and the mismatches
# red, restorable green (escapes shown by cat -v: ^[[31m red, ^[[32m green, ^[[0m reset).
# The text is scenario1_mismatch's, word for word.
sed -e 's/"layer2\/weights", "dtype": "float32", "shape": \[3, 2\], "bytes": 24/"layer2\/weights", "dtype": "float32", "shape": [3, 5], "bytes": 60/' \
    -e 's/"layer1\/biases", "dtype": "float32", "shape": \[3\], "bytes": 12/"layer1\/biases", "dtype": "float64", "shape": [3], "bytes": 24/' \
    testdata/scenario1/expected.json >"$TMP/expected.json"
$RESCOPE check testdata/scenario1/model.ckpt --expect "$TMP/expected.json" --color=always | cat -v
echo "exit ${PIPESTATUS[0]}"
