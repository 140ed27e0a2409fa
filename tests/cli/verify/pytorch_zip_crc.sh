# A byte flipped inside a PyTorch file's tensor data breaks the zip CRC-32 that torch stores
# for the storage record (PYTORCH.md §2); verify recomputes it and fails, naming the record.
"$RESCOPE" convert testdata/scenario1/model.ckpt "$TMP/m.pt" >/dev/null
"$RESCOPE" verify "$TMP/m.pt" | tail -1
# layer1/weights lies at its offset from `ls --json`; flip the first byte there.
offset=$("$RESCOPE" ls --json "$TMP/m.pt" | tr -d ' \n' |
  sed -E 's#.*"name":"layer1/weights"[^}]*"offset":([0-9]+).*#\1#')
byte=$(od -An -tu1 -j "$offset" -N1 "$TMP/m.pt" | tr -d " ")
printf "$(printf '\\%03o' $(( byte ^ 0xff )))" |
  dd of="$TMP/m.pt" bs=1 seek="$offset" conv=notrunc status=none
"$RESCOPE" verify "$TMP/m.pt" | sed -E 's/stored 0x[0-9a-f]+, computed 0x[0-9a-f]+/stored S, computed C/; s/ @0x[0-9a-f]+//; s#^FAIL [^ ]*/data/#FAIL .../data/#; s#: /[^ ]*m\.pt#: m.pt#'
echo "exit ${PIPESTATUS[0]}"
