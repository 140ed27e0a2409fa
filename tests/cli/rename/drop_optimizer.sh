# --drop-optimizer drops the Adam slots and beta powers along with the scope move.
set -e
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/=model_3/layer_a/ \
  --drop-optimizer -o "$TMP/w/out" | sed "s|$TMP|\$TMP|g"
$RESCOPE ls "$TMP/w/out"
$RESCOPE verify "$TMP/w/out"
