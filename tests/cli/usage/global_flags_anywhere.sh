# -q and -v are global flags accepted after the command and its arguments, as in git: -v
# changes nothing on stdout; -q leaves only the exit status (as cmp -s), wherever it stands.
"$RESCOPE" ls testdata/scenario1/model.ckpt > "$TMP/plain"
"$RESCOPE" ls testdata/scenario1/model.ckpt -q > "$TMP/quiet_after"
"$RESCOPE" -q ls testdata/scenario1/model.ckpt > "$TMP/quiet_before"
"$RESCOPE" ls -v testdata/scenario1/model.ckpt --color=never > "$TMP/verbose"
cmp "$TMP/plain" "$TMP/verbose" && echo "same listing"
wc -c < "$TMP/quiet_after"
wc -c < "$TMP/quiet_before"
