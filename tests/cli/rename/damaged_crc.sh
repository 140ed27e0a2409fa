# A rename that streams tensor bytes (--compact) checks the stored CRC32C and writes
# nothing; a rename that copies whole shards keeps bytes and stored CRCs unchanged, so it
# does not check and `verify` still finds the damage in its output (exit 1).
. tests/cli/damage_scenario1.inc
cd "$TMP"
"$RESCOPE" rename d/model.ckpt -o o/compact --rule layer2/=second/ --compact >/dev/null
echo "compact: exit $?"
echo "left in o/: $(ls -A o)"
"$RESCOPE" rename d/model.ckpt -o o/copy --rule layer2/=second/ >/dev/null
echo "shard copy: exit $?"
"$RESCOPE" verify o/copy >/dev/null
echo "verify copy: exit $?"
