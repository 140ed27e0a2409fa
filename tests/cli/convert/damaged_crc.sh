# convert refuses to turn damaged bytes into a checksum-free safetensors file, or into a
# freshly streamed bundle (--compact), and leaves no output behind.
. tests/cli/damage_scenario1.inc
cd "$TMP"
"$RESCOPE" convert d/model.ckpt o/model.safetensors; echo "safetensors: exit $?"
"$RESCOPE" convert d/model.ckpt o/model.pt; echo "pytorch: exit $?"
echo "left in o/: $(ls -A o)"
