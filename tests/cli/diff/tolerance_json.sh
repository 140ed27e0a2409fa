# JSON report: exact integer texts (no rounding through double), first positions, and the
# options echoed.
$RESCOPE diff --values --filter counts --filter nan --json \
  testdata/tolerance/a.ckpt testdata/tolerance/b.ckpt
