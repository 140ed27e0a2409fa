# `ls --json` output is a manifest: each generated checkpoint checked against its own
# listing is compatible.
for c in scopes/model.ckpt scenario1/model.ckpt scenario2/model.ckpt scenario3/model.ckpt \
         tolerance/a.ckpt; do
  $RESCOPE ls --json "testdata/$c" >"$TMP/manifest.json" || echo "ls failed: $c"
  echo "$c: $($RESCOPE check "testdata/$c" --expect "$TMP/manifest.json" | head -1)"
done
