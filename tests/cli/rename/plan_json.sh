# --json plan of the scope move (slots marked) with an unmatched rule, a warning under
# --allow-unmatched.
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/=model_3/layer_a/ \
  --rule model_9/=x/ --allow-unmatched --dry-run --json
