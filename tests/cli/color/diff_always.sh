# --color=always colours the diff report as git diff would: only in A (removed) red, only in
# B (added) green, renamed and changed values yellow (^[[33m), identical plain. The text is
# diff/scopes_vs_scenario3's, word for word.
$RESCOPE diff --values testdata/scopes/model.ckpt testdata/scenario3/model.ckpt --color=always |
  cat -v
