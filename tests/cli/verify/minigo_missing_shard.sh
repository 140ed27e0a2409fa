# needs: real
# The data shard is absent: one message names the file and how many entries it held.
cd "$REAL" && "$RESCOPE" verify swift-models-minigo-index-only >"$TMP/out"
code=$?
head -n 1 "$TMP/out"
tail -n 1 "$TMP/out"
exit $code
