# A map file in TF's assignment_map form (scope_move_object.json) gives the same plan
# as --rule; an exact-name entry renames global_step.
$RESCOPE rename testdata/scopes/model.ckpt --map tests/cli/rename/scope_move_object.json --dry-run
