# --ignore-checksums shows the damaged bytes (element 0 reads 1.6; numpy prints the same
# array as below) and warns which tensor it let through.
. tests/cli/damage_scenario1.inc
"$RESCOPE" show --ignore-checksums "$TMP/d/model.ckpt" layer1/weights
