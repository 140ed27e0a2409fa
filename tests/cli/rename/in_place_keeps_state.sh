# needs: real
# rename DIR -o DIR --in-place (on a copy) keeps the `checkpoint` state file as it was:
# every step stays listed and model.ckpt-1000 stays the latest, with --step 0 and without.
cp -r "$REAL/tfx-estimator-wide-deep-3ckpts" "$TMP/est"
cp "$TMP/est/checkpoint" "$TMP/state.before"
$RESCOPE rename "$TMP/est" -o "$TMP/est" --in-place --step 0 --rule global_step=step |
  sed "s|$TMP|TMP|g"
cmp "$TMP/state.before" "$TMP/est/checkpoint" && echo "state file unchanged"
$RESCOPE rename "$TMP/est" -o "$TMP/est" --in-place --rule global_step=step | sed "s|$TMP|TMP|g"
cmp "$TMP/state.before" "$TMP/est/checkpoint" && echo "state file unchanged"
$RESCOPE ls "$TMP/est" --step 999 --filter 'global_step*'
# A new step written into the directory is added as the latest, the others kept.
mkdir "$TMP/two" && cp "$TMP/est/checkpoint" "$TMP/two/"
$RESCOPE rename testdata/scopes/model.ckpt -o "$TMP/two/" --rule global_step=step | tail -n 1 |
  sed "s|$TMP|TMP|g"
cat "$TMP/two/checkpoint"
