# A map file in rule-list form (scope_move_rules.json): scope, regex and drop rules, first
# match wins (layer_b/weights is dropped by rule #2 before the regex sees it).
$RESCOPE rename testdata/scopes/model.ckpt --map tests/cli/rename/scope_move_rules.json --dry-run
