# Scenario 1: layer1/{weights,biases} and layer2/{weights,biases}, checked against the
# hand-written manifest of the model that saved them: every variable restores.
$RESCOPE check testdata/scenario1/model.ckpt --expect testdata/scenario1/expected.json --all
