# show, show --stats and show --json refuse a tensor whose bytes fail the stored CRC32C
# (TensorFlow refuses to restore it too); an intact tensor of the same file still shows.
. tests/cli/damage_scenario1.inc
"$RESCOPE" show "$TMP/d/model.ckpt" layer1/weights; echo "show: exit $?"
"$RESCOPE" show --stats "$TMP/d/model.ckpt" layer1/weights; echo "stats: exit $?"
"$RESCOPE" show --json "$TMP/d/model.ckpt" layer1/weights; echo "json: exit $?"
"$RESCOPE" show "$TMP/d/model.ckpt" layer1/biases; echo "intact: exit $?"
