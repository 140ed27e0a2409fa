# -q and -v are global flags accepted after the command and its arguments, as in git.
"$RESCOPE" ls testdata/scenario1/model.ckpt > "$TMP/plain"
"$RESCOPE" ls testdata/scenario1/model.ckpt -q > "$TMP/quiet_after"
"$RESCOPE" -q ls testdata/scenario1/model.ckpt > "$TMP/quiet_before"
"$RESCOPE" ls -v testdata/scenario1/model.ckpt --color=never > "$TMP/verbose"
cmp "$TMP/plain" "$TMP/quiet_after" && cmp "$TMP/plain" "$TMP/quiet_before" &&
  cmp "$TMP/plain" "$TMP/verbose" && echo "same listing"
