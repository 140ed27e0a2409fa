# --version and -V name the version, the commit, the build type and the libraries that read
# formats; the HDF5 version is the one h5dump (same library) reports, labelled "built
# against" (--version reads header versions and loads neither libhdf5 nor libzip).
"$RESCOPE" --version > "$TMP/long"
"$RESCOPE" -V > "$TMP/short"
cmp -s "$TMP/long" "$TMP/short" && echo "-V same as --version"
head -1 "$TMP/long" | sed -E 's/^rescope [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]+(-modified)?|^rescope [0-9]+\.[0-9]+\.[0-9]+ \(commit unknown/rescope VERSION (commit C/; s/, [A-Za-z]+ build\)$/, TYPE build)/'
hdf5=$(h5dump --version | sed -nE 's/.*Version ([0-9.]+).*/\1/p')
grep -qx "  HDF5 $hdf5 (built against)" "$TMP/long" && echo "HDF5 matches h5dump"
grep -cE '^  (libzip|snappy) [0-9]+\.[0-9]+\.[0-9]+ \(built against\)$' "$TMP/long"
