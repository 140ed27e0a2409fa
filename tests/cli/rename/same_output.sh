# -o naming the input (as a prefix, as its .index file, or as its directory) is refused
# without --in-place.
before=$(cksum testdata/scopes/*)
for out in testdata/scopes/model.ckpt testdata/scopes/model.ckpt.index testdata/scopes/; do
  $RESCOPE rename testdata/scopes/model.ckpt --rule global_step=step -o "$out" >/dev/null
  echo "exit $?"
done
ls testdata/scopes
[ "$(cksum testdata/scopes/*)" = "$before" ] && echo "input unchanged"
