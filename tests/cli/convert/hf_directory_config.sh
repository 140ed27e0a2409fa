# Directory outputs in Hugging Face's layout: the weights under the conventional name plus
# the config.json found beside the input, byte for byte; already there with the same bytes
# is fine (rerun), with other bytes an error before anything is written.
mkdir -p "$TMP/src"
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/src/model.safetensors" >/dev/null || exit 1
printf '{"model_type": "toy", "hidden_size": 4}\n' >"$TMP/src/config.json"
cd "$TMP"
$RESCOPE convert src/model.safetensors hf/ --to pytorch
echo "exit $?"
ls hf
cmp src/config.json hf/config.json && echo "config.json copied"
$RESCOPE convert src/model.safetensors hf/ --to pytorch >/dev/null
echo "again: exit $?"
mkdir clash && echo '{}' >clash/config.json
$RESCOPE convert src/model.safetensors clash/ --to pytorch
echo "exit $?"
ls clash
# A single file output is not a directory layout: nothing else is written.
$RESCOPE convert src/model.safetensors single/model.pt >/dev/null
ls single
