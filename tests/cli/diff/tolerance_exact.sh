# testdata/tolerance without tolerances: -0.0 equals 0.0 (different bytes); a NaN equals the
# NaN at the same position, whatever its sign bit (the one NaN rule, issue 10); 2^-11 and 2^-10 float differences count; inf vs -inf;
# int64 2^53+1 vs 2^53 (equal as doubles) differ; strings compare exactly.
$RESCOPE diff --values testdata/tolerance/a.ckpt testdata/tolerance/b.ckpt
