# A map file with an invalid regex (rule #2) and an unknown key (rule #3): every bad rule
# is reported with the file and its index; nothing is planned or written.
mkdir "$TMP/w"
$RESCOPE rename testdata/scopes/model.ckpt --map tests/cli/rename/bad_regex.json -o "$TMP/w/out"
code=$?
ls -A "$TMP/w"
exit $code
