# GGUF output appears only when complete (AtomicOutput): a refused metadata edit, a
# file-size limit (ulimit -f 0: the first write fails with EFBIG) and SIGINT right after the
# temporary is named each leave nothing in the output directory; the same run without them
# writes the one file.
in=testdata/scenario1/model.ckpt
mkdir "$TMP/o"
left() { echo "$(ls -A "$TMP/o" | wc -l) files left"; }
"$RESCOPE" convert "$in" "$TMP/o/m.gguf" --set general.name=x >/dev/null 2>&1
echo "untyped new key: exit $?, $(left)"
# stderr goes to a pipe: the limit applies to every file the process writes.
err=$( (ulimit -f 0; "$RESCOPE" convert "$in" "$TMP/o/m.gguf" 2>&1 >/dev/null))
code=$?
grep -q "File too large" <<<"$err" && said="says File too large" || said="$err"
echo "file-size limit: exit $code, $(left), $said"
RESCOPE_TEST_SIGNAL_AFTER_TEMPS=1:INT "$RESCOPE" convert "$in" "$TMP/o/m.gguf" >/dev/null 2>&1
echo "SIGINT: exit $?, $(left)"
"$RESCOPE" convert "$in" "$TMP/o/m.gguf" >/dev/null 2>&1
echo "complete: exit $?, $(left)"
