# needs: real
# Shard 1 of 2 is absent: one message names the file and the 104 entries it held
# (checkpoint's index lists 105 entries, 104 of them in shard 1); global_step (shard 0)
# verifies.
cd "$REAL" && "$RESCOPE" verify t5x-mtf-tiny-bf16-missing-shard1 >"$TMP/out"
code=$?
grep -c '^FAIL ' "$TMP/out"
grep -c '^FAIL global_step' "$TMP/out"
cat "$TMP/out"
exit $code
