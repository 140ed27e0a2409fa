# Dry run of the scope move: the plan as text, nothing written.
$RESCOPE rename testdata/scopes/model.ckpt --rule model_1/layer_a/=model_3/layer_a/ --dry-run
