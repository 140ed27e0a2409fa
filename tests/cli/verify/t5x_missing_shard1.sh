# needs: real
# Shard 1 of 2 is absent: 104 entries and the file fail; global_step (shard 0) verifies.
cd "$REAL" && "$RESCOPE" verify t5x-mtf-tiny-bf16-missing-shard1 >"$TMP/out"
code=$?
grep -c '^FAIL ' "$TMP/out"
grep -c '^FAIL global_step' "$TMP/out"
tail -n 1 "$TMP/out"
exit $code
