# --link-data hard-links the data shard (link count 2, same inode); --index-compression
# snappy writes a readable index with the same entries as none.
set -e
mkdir "$TMP/w"
cp testdata/scopes/model.ckpt.* "$TMP/w/"
$RESCOPE rename "$TMP/w/model.ckpt" --rule global_step=step -o "$TMP/w/linked" --link-data \
  --index-compression snappy >/dev/null
stat -c '%h %n' "$TMP/w/model.ckpt.data-00000-of-00001" "$TMP/w/linked.data-00000-of-00001" \
  | sed "s|$TMP|\$TMP|g"
[ "$(stat -c %i "$TMP/w/model.ckpt.data-00000-of-00001")" = \
  "$(stat -c %i "$TMP/w/linked.data-00000-of-00001")" ] && echo "same inode"
$RESCOPE rename "$TMP/w/model.ckpt" --rule global_step=step -o "$TMP/w/plain" \
  --index-compression none >/dev/null
$RESCOPE ls --json "$TMP/w/linked" | sed "s|$TMP|\$TMP|g" >"$TMP/linked.json"
$RESCOPE ls --json "$TMP/w/plain" | sed "s|$TMP|\$TMP|g;s|/plain|/linked|g" >"$TMP/plain.json"
cmp "$TMP/linked.json" "$TMP/plain.json" && echo "same listing"
$RESCOPE verify "$TMP/w/linked"
