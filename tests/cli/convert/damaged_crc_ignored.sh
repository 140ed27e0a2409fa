# With --ignore-checksums the damaged bytes are written (salvage) with a warning; the
# safetensors file then holds element 0 = 1.6 as read.
. tests/cli/damage_scenario1.inc
cd "$TMP"
"$RESCOPE" convert --ignore-checksums d/model.ckpt o/model.safetensors >/dev/null
echo "convert: exit $?"
"$RESCOPE" show o/model.safetensors layer1/weights
