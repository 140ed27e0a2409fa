# rename with transposes rewrites the data (no pass-through of the source shard) and the
# written bundle's checksums are those of the transposed bytes (verify), values by hand as
# in transpose_safetensors.sh. --link-data cannot carry transformed values.
$RESCOPE rename testdata/scopes/model.ckpt --map tests/cli/convert/transpose_map.json -o $TMP/t/model.ckpt >/dev/null &&
$RESCOPE verify $TMP/t/model.ckpt &&
$RESCOPE show $TMP/t/model.ckpt layer_b.weight
$RESCOPE rename testdata/scopes/model.ckpt --map tests/cli/convert/transpose_map.json -o $TMP/u/model.ckpt --link-data >/dev/null
echo "link-data exit $?"
