# --json plan of the scope move with an unmatched rule (a warning, not an error).
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/=model_3/layer_a/ \
  --rule model_9/=x/ --dry-run --json
