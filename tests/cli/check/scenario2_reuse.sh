# Scenario 2: dense_layer applied twice with reuse=True saves its variables once; the
# model built the same way expects them once.
$RESCOPE check testdata/scenario2/model.ckpt --expect testdata/scenario2/expected.json --all
