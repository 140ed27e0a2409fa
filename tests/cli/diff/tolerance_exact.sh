# testdata/tolerance without tolerances: -0.0 equals 0.0 (different bytes); NaNs with
# different sign bits are unequal; 2^-11 and 2^-10 float differences count; inf vs -inf;
# int64 2^53+1 vs 2^53 (equal as doubles) differ; strings compare exactly.
$RESCOPE diff --values testdata/tolerance/a.ckpt testdata/tolerance/b.ckpt
