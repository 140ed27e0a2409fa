# rename with transposes rewrites the data (no pass-through of the source shard) and the
# written bundle's checksums are those of the transposed bytes (verify), values by hand as
# in transpose_safetensors.sh. --link-data cannot carry transformed values.
$RESCOPE rename testdata/scopes/model.ckpt --map tests/cli/convert/transpose_map.json -o $TMP/t/model.ckpt >/dev/null &&
$RESCOPE verify $TMP/t/model.ckpt &&
$RESCOPE show $TMP/t/model.ckpt layer_b.weight
$RESCOPE rename testdata/scopes/model.ckpt --map tests/cli/convert/transpose_map.json -o $TMP/u/model.ckpt --link-data >/dev/null
echo "link-data exit $?"
# --in-place would have to replace the data shard before the index: refused, input intact.
cp testdata/scopes/model.ckpt.* $TMP/t/
$RESCOPE rename $TMP/t/model.ckpt --map tests/cli/convert/transpose_map.json -o $TMP/t/model.ckpt --in-place >/dev/null 2>$TMP/err
echo "in-place exit $?"
cmp testdata/scopes/model.ckpt.index $TMP/t/model.ckpt.index && echo "input intact"
