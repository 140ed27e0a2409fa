# `rescope hash` of the hand-built scenario1 bundle: every digest is checked against
# sha256sum — of the two files, and of each tensor's bytes cut from the data file with dd at
# the offset and size `ls --json` lists (float32 little-endian, stored as rescope presents
# them).
cd "$TMP"
"$RESCOPE" hash "$SRC/testdata/scenario1/model.ckpt" -j 2 -o m.json
data="$SRC/testdata/scenario1/model.ckpt.data-00000-of-00001"
for f in model.ckpt.index model.ckpt.data-00000-of-00001; do
  want=$(sha256sum "$SRC/testdata/scenario1/$f" | cut -c1-64)
  tr -d ' \n' <m.json | grep -qF "\"$f\":{\"sha256\":\"$want\"" && echo "file $f: sha256sum matches"
done
for name in layer1/weights layer1/biases layer2/weights layer2/biases; do
  entry=$("$RESCOPE" ls --json "$SRC/testdata/scenario1/model.ckpt" | tr -d ' \n' |
    sed -E "s#.*\"name\":\"$name\"([^}]*)\}.*#\1#")
  offset=$(echo "$entry" | sed -E 's/.*"offset":([0-9]+).*/\1/')
  bytes=$(echo "$entry" | sed -E 's/.*"bytes":([0-9]+).*/\1/')
  want=$(dd if="$data" bs=1 skip="$offset" count="$bytes" status=none | sha256sum | cut -c1-64)
  tr -d ' \n' <m.json | grep -qF "\"$name\":{\"sha256\":\"$want\"" &&
    echo "tensor $name: sha256sum of its $bytes bytes matches"
done
grep -E '"(schema_version|algorithm)"' m.json
