# A checkpoint compared with itself: same, every entry identical (exit 0).
$RESCOPE diff --values --all testdata/scenario1/model.ckpt testdata/scenario1/model.ckpt
