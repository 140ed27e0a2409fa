# needs: real
# A truncated file is a corrupt checkpoint (exit 1), not a usage error: half of a torch.save
# zip (no central directory), of a legacy torch file, of a safetensors file, of a TF index.
T="$REAL/../torch"
head -c 1000 "$T/plain_state_dict.pt" >"$TMP/zip.pt"
head -c 1000 "$T/legacy_state_dict.pt" >"$TMP/legacy.pt"
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/full.safetensors" >/dev/null
head -c 900 "$TMP/full.safetensors" >"$TMP/cut.safetensors"
cp testdata/scopes/model.ckpt.* "$TMP/"
truncate -s 100 "$TMP/model.ckpt.index"
for f in zip.pt legacy.pt cut.safetensors model.ckpt; do
  $RESCOPE verify "$TMP/$f" 2>/dev/null
  echo "$f: exit $?"
done
