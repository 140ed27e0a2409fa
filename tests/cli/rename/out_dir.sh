# -o DIR/ writes DIR/<input base name> plus a `checkpoint` state file that ls follows.
set -e
$RESCOPE rename testdata/scopes/model.ckpt --rule global_step=step -o "$TMP/w/d/" \
  | sed "s|$TMP|\$TMP|g"
ls "$TMP/w/d"
cat "$TMP/w/d/checkpoint"
$RESCOPE ls "$TMP/w/d"
