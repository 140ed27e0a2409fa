# --json of verify, convert and recover (docs/json-schema): the shared envelope first, then
# each command's keys. scopes: 12 entries, each with a stored CRC32C (a TF bundle); scenario1:
# 4 tensors, the rule renames layer1's two (testdata/README.md); an empty directory has
# nothing to recover.
set -e
$RESCOPE verify --json testdata/scopes/model.ckpt
$RESCOPE convert --json testdata/scenario1/model.ckpt "$TMP/m.safetensors" --rule layer1/=dense/ |
  sed "s|$TMP|\$TMP|g"
mkdir "$TMP/d"
$RESCOPE recover --json "$TMP/d" | sed "s|$TMP|\$TMP|g"
