# needs: real
# TF2: renaming the kernel of a layer but not its bias gives the layer object two paths;
# the dry run refuses it as the real run does.
K=layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE
$RESCOPE rename "$REAL/tfx-keras-savedmodel-adam-slots/variables" --rule "$K=dense_mid/kernel/.ATTRIBUTES/VARIABLE_VALUE" --dry-run
