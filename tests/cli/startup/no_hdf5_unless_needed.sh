# needs: real
# libhdf5 and libzip (and what they pull in: curl, OpenSSL, ...) are loaded only when a
# file needs them: not for --version, not for a TF checkpoint; a Keras .h5 file loads the
# HDF5 support module and with it libhdf5. The dynamic loader's own log (LD_DEBUG=files)
# says what was loaded.
loaded() {
  LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -oE 'file=[^ ]*' |
    grep -oE '(libhdf5|libzip|libcurl|librescope_hdf5)' | sort -u | tr '\n' ' '
  echo
}
echo "--version: $(loaded "$RESCOPE" --version)"
echo "ls TF: $(loaded "$RESCOPE" ls testdata/scopes/model.ckpt)"
echo "ls h5: $(loaded "$RESCOPE" ls "$REAL"/hls4ml-keras2_0_0-3layer-weights-only-h5/*.h5)"
