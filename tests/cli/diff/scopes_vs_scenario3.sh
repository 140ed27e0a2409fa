# Two different generated checkpoints: names on one side only (Adam slots and model_2 in
# scopes, model_1/layer_b in scenario3); model_2/layer_b/weights and model_1/layer_b/weights
# hold the same bytes (same formula), so they are one rename (their biases differ); model_1/layer_a/{weights,biases} come from the
# same formulas in both (identical); global_step is 1000 vs 200 (abs 800, rel 800/200).
$RESCOPE diff --values testdata/scopes/model.ckpt testdata/scenario3/model.ckpt
