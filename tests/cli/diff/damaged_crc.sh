# diff --values reads both tensors' bytes: the damaged side is an error (exit 2), not a
# value difference; with --ignore-checksums the difference is reported (exit 1).
. tests/cli/damage_scenario1.inc
"$RESCOPE" diff --values testdata/scenario1/model.ckpt "$TMP/d/model.ckpt" >/dev/null
echo "values: exit $?"
"$RESCOPE" diff --values --ignore-checksums testdata/scenario1/model.ckpt "$TMP/d/model.ckpt" >/dev/null
echo "ignored: exit $?"
