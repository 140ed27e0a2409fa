# needs: real
# The Keras-written .keras re-zipped with DEFLATE (Python's zipfile) lists exactly what the
# STORED original lists: the expected table is real_keras_k3_custom_adam.stdout (from h5ls
# of the extracted member). $TMPDIR names a directory that does not exist, so any attempt
# to inflate the member into a temp file would fail: ls, info and diff (names, dtypes,
# shapes) write nothing. The data side (diff --values against the stored original, verify
# of the member's zip CRC-32) reads the same bytes.
src="$REAL/keras3-custom-model-with-adam-keras-zip/fixed_model.keras"
"$PY" - "$src" "$TMP/deflated.keras" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as zin, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        zout.writestr(info.filename, zin.read(info.filename))
with zipfile.ZipFile(sys.argv[2]) as z:
    info = z.getinfo("model.weights.h5")
    print("weights member compress_type", info.compress_type)
PY
export TMPDIR="$TMP/no-such-dir"
"$RESCOPE" ls "$TMP/deflated.keras"
echo "ls exit $?"
"$RESCOPE" info "$TMP/deflated.keras" | grep -E "^(weights_member|variables): [^ ]"
"$RESCOPE" diff "$src" "$TMP/deflated.keras" >/dev/null
echo "diff exit $?"
"$RESCOPE" diff --values "$src" "$TMP/deflated.keras" >/dev/null
echo "diff --values exit $?"
"$RESCOPE" verify "$TMP/deflated.keras" >/dev/null
echo "verify exit $?"
[ -e "$TMPDIR" ] && echo "TMPDIR was created" || echo "TMPDIR still absent"
