# needs: real
# The data shard is absent: the file, then every entry, fails (first lines and summary shown).
cd "$REAL" && "$RESCOPE" verify swift-models-minigo-index-only >"$TMP/out"
code=$?
head -n 2 "$TMP/out"
tail -n 1 "$TMP/out"
exit $code
