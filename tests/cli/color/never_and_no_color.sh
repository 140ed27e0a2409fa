# No colour when stdout is not a terminal (auto), with --color=never, or with NO_COLOR set
# (unless --color=always asks for it): the report has no escape character at all.
set -e
for args in "" "--color=never" "--color=auto"; do
  $RESCOPE diff testdata/scopes/model.ckpt testdata/scenario3/model.ckpt $args | grep -c $'\e' || true
done
NO_COLOR=1 $RESCOPE diff testdata/scopes/model.ckpt testdata/scenario3/model.ckpt | grep -c $'\e' || true
echo "NO_COLOR with --color=always:"
NO_COLOR=1 $RESCOPE diff --values testdata/scopes/model.ckpt testdata/scenario3/model.ckpt --color=always |
  head -1 | cat -v
