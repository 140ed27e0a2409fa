# A tensor converted through a transpose loses its stored CRC with the transform; the
# damage is caught on the source entry it is read from, before any output exists.
. tests/cli/damage_scenario1.inc
cd "$TMP"
echo '{"rules": [{"name": "layer1/weights", "to": "layer1.weight", "transpose": true}]}' > t.json
"$RESCOPE" convert d/model.ckpt o/model.safetensors --map t.json --allow-unmatched
echo "transposed: exit $?"
echo "left in o/: $(ls -A o)"
