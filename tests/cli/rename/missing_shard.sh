# needs: real
# A bundle whose second data shard is missing cannot be rewritten completely: refused
# with the shard named, nothing written.
mkdir "$TMP/w"
$RESCOPE rename "$REAL/t5x-mtf-tiny-bf16-missing-shard1/model.ckpt-0" -o "$TMP/w/out"
code=$?
ls -A "$TMP/w"
exit $code
