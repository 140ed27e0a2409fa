# A name that is neither a file nor a shipped map: exit 2 naming the nearest shipped map,
# for `maps show` and for `--map` alike (nothing is read or written).
cd "$TMP"
$RESCOPE maps show dataparalel/strip-module
echo "exit $?"
$RESCOPE diff "$SRC/testdata/scopes/model.ckpt" "$SRC/testdata/scopes/model.ckpt" --map torch-compile/strip-orig-mod-modul
echo "exit $?"
$RESCOPE maps list extra
echo "exit $?"
