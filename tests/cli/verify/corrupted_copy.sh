# needs: real
# A copy of half_plus_two whose tensor b (2.0 = 00 00 00 40 at offset 8) has its last byte
# changed to 41: stored crc32c 0x091c567b (FORMATS.md §1.2), computed crc32c(00 00 00 41).
mkdir "$TMP/hp2"
cp "$REAL"/tfserving-half-plus-two-tf1-savedmodel/variables.* "$TMP/hp2/"
chmod u+w "$TMP"/hp2/*
printf '\x41' | dd of="$TMP/hp2/variables.data-00000-of-00001" bs=1 seek=11 conv=notrunc status=none
cd "$TMP" && "$RESCOPE" verify hp2
