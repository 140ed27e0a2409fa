# needs: real
# An install (`cmake --install`) puts the module in lib/rescope/ and the binary finds it
# there, from wherever the tree was installed.
build=$(dirname "$RESCOPE")
cmake --install "$build" --prefix "$TMP/inst" > /dev/null || exit 1
find "$TMP/inst" -name 'librescope_hdf5.so' | sed "s|$TMP/inst/||"
"$TMP/inst/bin/rescope" ls "$REAL"/hls4ml-keras2_0_0-3layer-weights-only-h5/*.h5 | head -2
