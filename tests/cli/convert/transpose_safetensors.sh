# A map with "transpose": true converts TF [in, out] kernels to PyTorch-style [out, in].
# Expected values by hand from testdata/README.md: layer_a/weights [3, 4] holds -1 + 0.25 i,
# so transposed row r is (i = r, r + 4, r + 8); layer_b/weights [4, 2] holds 2 - 0.5 i, so
# row 0 is i = 0, 2, 4, 6 and row 1 is i = 1, 3, 5, 7.
$RESCOPE convert testdata/scopes/model.ckpt $TMP/out.safetensors --map tests/cli/convert/transpose_map.json >/dev/null &&
$RESCOPE ls $TMP/out.safetensors &&
$RESCOPE show $TMP/out.safetensors layer_a.weight &&
$RESCOPE show $TMP/out.safetensors layer_b.weight
# diff applies the same map (and transposes) to A: equal names, shapes and values.
$RESCOPE diff testdata/scopes/model.ckpt $TMP/out.safetensors --map tests/cli/convert/transpose_map.json --values
