# show --stats of a tensor with a NaN: min/max/mean/std are over the finite elements and a
# note says how many NaN and infinite elements were left out (issue 10: it was silent).
# testdata/tolerance/a.ckpt "nan" is float32 [1, NaN, 3] (tests/tools/make_testdata.cc).
$RESCOPE show testdata/tolerance/a.ckpt nan --full
$RESCOPE show testdata/tolerance/a.ckpt nan --stats
$RESCOPE show testdata/tolerance/a.ckpt nan --stats --json
$RESCOPE show testdata/tolerance/a.ckpt close --stats | grep -c note || true
