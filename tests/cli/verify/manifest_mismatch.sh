# verify --manifest: a byte flipped inside a safetensors tensor's data passes plain verify
# (the format stores no checksum) but not the manifest `rescope hash` wrote before the flip;
# only that tensor and the file differ. Digests are replaced by X (the judge test
# tests/judges/test_manifest.py checks their values against hashlib).
"$RESCOPE" convert testdata/scenario1/model.ckpt "$TMP/m.safetensors" >/dev/null
cd "$TMP"
"$RESCOPE" hash m.safetensors -o m.json
"$RESCOPE" verify m.safetensors --manifest m.json
echo "exit $?"
offset=$("$RESCOPE" ls --json m.safetensors | tr -d ' \n' |
  sed -E 's#.*"name":"layer2/biases"[^}]*"offset":([0-9]+).*#\1#')
byte=$(od -An -tu1 -j "$offset" -N1 m.safetensors | tr -d " ")
printf "$(printf '\\%03o' $(( byte ^ 0x01 )))" |
  dd of=m.safetensors bs=1 seek="$offset" conv=notrunc status=none
"$RESCOPE" verify m.safetensors
echo "exit $?"
"$RESCOPE" verify m.safetensors --manifest m.json -j 2 | sed -E 's/[0-9a-f]{64}/X/g'
echo "exit ${PIPESTATUS[0]}"
