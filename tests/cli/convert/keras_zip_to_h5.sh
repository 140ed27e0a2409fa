# needs: real
# A .keras archive converted to an HDF5 name is HDF5 (signature 89 48 44 46 0d 0a 1a 0a,
# FORMATS.md §5), holding the archive's model.weights.h5 with the same tensors; a
# .keras name gets an archive, and so does a directory (a bare name is one for Keras), where
# the file keeps the input's name.
set -e
K="$REAL/keras3-nested-container-keras-zip/pre_pr22362_nested_container.keras"
for out in out.h5 out.weights.h5; do
  $RESCOPE convert "$K" "$TMP/$out" | sed "s|$TMP|\$TMP|g"
  head -c 8 "$TMP/$out" | od -An -tx1
  $RESCOPE diff "$K" "$TMP/$out" --values | head -1
done
$RESCOPE convert "$K" "$TMP/x.keras" --to keras_h5 >/dev/null
head -c 4 "$TMP/x.keras" | od -An -tx1
$RESCOPE convert "$K" "$TMP/noext" --to keras_h5 >/dev/null
ls "$TMP/noext"
head -c 4 "$TMP/noext/"*.keras | od -An -tx1
