# needs: real
# A rule that matches nothing (a typo) is an error with the nearest scope suggested: exit 2
# and nothing written, in the real run and in --dry-run; --allow-unmatched makes it a warning.
W="$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000"
$RESCOPE rename "$W" --rule dnn/hidenlayer_0/=dnn/h0/ -o "$TMP/out/model.ckpt"
echo "rename: exit $?"
if [ -e "$TMP/out" ]; then echo "output written"; else echo "nothing written"; fi
$RESCOPE rename "$W" --rule dnn/hidenlayer_0/=dnn/h0/ --dry-run
echo "dry run: exit $?"
$RESCOPE rename "$W" --rule dnn/hidenlayer_0/=dnn/h0/ --allow-unmatched -o "$TMP/out/model.ckpt" |
  grep -v '^wrote'
echo "allowed: exit ${PIPESTATUS[0]}"
