# needs: real
# A .keras archive stores the zip CRC-32 of every member (Keras writes them STORED); a byte
# flipped inside model.weights.h5 (in a tensor's data, so HDF5 still opens it) makes verify
# fail naming the member. The weights member offset comes from `info`, the tensor's offset
# inside it from `ls --json`.
src="$REAL/keras3-custom-model-with-adam-keras-zip/fixed_model.keras"
cp "$src" "$TMP/m.keras"
"$RESCOPE" verify "$TMP/m.keras" | tail -2
member=$("$RESCOPE" info "$TMP/m.keras" | sed -nE 's/.*model\.weights\.h5 \(stored @0x([0-9a-f]+)\).*/\1/p')
tensor=$("$RESCOPE" ls --json "$TMP/m.keras" | tr -d ' \n' |
  sed -E 's#^[^}]*"offset":([0-9]+).*#\1#')
offset=$(( 16#$member + tensor ))
byte=$(od -An -tu1 -j "$offset" -N1 "$TMP/m.keras" | tr -d " ")
printf "$(printf '\\%03o' $(( byte ^ 0x10 )))" |
  dd of="$TMP/m.keras" bs=1 seek="$offset" conv=notrunc status=none
"$RESCOPE" verify "$TMP/m.keras" | sed -E 's/stored 0x[0-9a-f]+, computed 0x[0-9a-f]+/stored S, computed C/; s/ @0x[0-9a-f]+//; s#: /[^ ]*m\.keras#: m.keras#'
echo "exit ${PIPESTATUS[0]}"
