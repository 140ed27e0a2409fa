# --nan-equal is accepted and changes nothing (a NaN always equals a NaN at the same
# position); --atol 0.001 covers the 2^-10 difference but not at
# 0.0005; tolerances never apply to infinities, integers or strings, even huge ones.
$RESCOPE diff --values --nan-equal --atol 0.001 testdata/tolerance/a.ckpt testdata/tolerance/b.ckpt
echo "exit $?"
$RESCOPE diff --values --atol 0.0005 --filter close testdata/tolerance/a.ckpt testdata/tolerance/b.ckpt
echo "exit $?"
$RESCOPE diff --values --atol 1e300 --rtol 1e300 --nan-equal --filter counts --filter inf_sign \
  --filter labels testdata/tolerance/a.ckpt testdata/tolerance/b.ckpt
echo "exit $?"
# Repeated --filter before the positionals and a flag after them (each --filter takes
# exactly one value).
$RESCOPE diff --values --nan-equal --atol 0.001 --filter close --filter nan --filter neg_zero \
  testdata/tolerance/a.ckpt testdata/tolerance/b.ckpt --all
