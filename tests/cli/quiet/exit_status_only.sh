# -q: the exit status is the answer (as with diff -q and cmp -s). No command prints anything
# on stdout or stderr, warnings included; errors still reach stderr; a --json document asked
# for on the same line is still printed. stderr is merged into stdout here to show that.
S=testdata/scopes/model.ckpt
$RESCOPE -q diff $S testdata/scenario3/model.ckpt 2>&1; echo "diff, different: $?"
$RESCOPE diff $S $S -q 2>&1; echo "diff, same: $?"
$RESCOPE -q check testdata/scenario3/model.ckpt --expect testdata/scenario3/expected.json 2>&1
echo "check, incompatible: $?"
$RESCOPE -q check testdata/scenario1/model.ckpt --expect testdata/scenario1/expected.json 2>&1
echo "check, compatible: $?"
$RESCOPE -q verify $S 2>&1; echo "verify: $?"
$RESCOPE -q ls $S 2>&1; echo "ls: $?"
$RESCOPE -q info $S 2>&1; echo "info: $?"
$RESCOPE -q show $S global_step 2>&1; echo "show: $?"
# A rule that matches nothing is a warning under --allow-unmatched: silenced too.
$RESCOPE -q rename $S --rule model_9/=x/ --allow-unmatched -o "$TMP/r/model.ckpt" 2>&1
echo "rename: $?"
$RESCOPE -q rename $S --rule model_1/layer_a/=model_3/layer_a/ --dry-run 2>&1
echo "rename --dry-run: $?"
$RESCOPE -q convert $S "$TMP/c.safetensors" 2>&1; echo "convert: $?"
$RESCOPE -q recover "$TMP" 2>&1; echo "recover: $?"
$RESCOPE -q ls testdata/no-such-checkpoint 2>&1 | grep -c '^rescope: error: '
echo "ls, missing input: ${PIPESTATUS[0]}"
$RESCOPE -q verify --json $S | head -4
