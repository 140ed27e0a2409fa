# The progress line, forced by RESCOPE_TEST_FORCE_PROGRESS=1 because stderr is a file here:
# drawn on stderr as "\r<what>  <done> / <total>  <pct>%..." and erased at the end ("\r" ESC
# "[K": bytes 0d 1b 5b 4b); stdout carries no trace of it. Totals (testdata/README.md): the
# 12 scopes tensors hold 264 bytes; convert checks each stored CRC32C, then copies (2 x 264);
# verify reads them once; diff --values reads both sides once, checking each stored CRC32C
# on the windows it compares (2 x 264 = 528 B).
set -e
S=testdata/scopes/model.ckpt
export RESCOPE_TEST_FORCE_PROGRESS=1
$RESCOPE convert $S "$TMP/c.safetensors" >"$TMP/out" 2>"$TMP/err"
grep -c $'\r' "$TMP/out" || true
tr '\r' '\n' <"$TMP/err" | grep -o '^converting  .* / 528 B  [0-9]*%' | tail -1
tail -c 4 "$TMP/err" | od -An -tx1
$RESCOPE verify $S >/dev/null 2>"$TMP/err"
tr '\r' '\n' <"$TMP/err" | grep -o '^verifying  .* / 264 B  [0-9]*%' | tail -1
$RESCOPE diff --values $S $S >/dev/null 2>"$TMP/err"
tr '\r' '\n' <"$TMP/err" | grep -o '^comparing  .* / 528 B  [0-9]*%' | tail -1
tail -c 4 "$TMP/err" | od -An -tx1
echo "never with -q or --json:"
$RESCOPE -q convert $S "$TMP/q.safetensors" 2>&1 | wc -c
$RESCOPE convert --json $S "$TMP/j.safetensors" 2>&1 >/dev/null | wc -c
$RESCOPE verify --json $S 2>&1 >/dev/null | wc -c
echo "never when stderr is not a terminal (no hook):"
unset RESCOPE_TEST_FORCE_PROGRESS
$RESCOPE convert $S "$TMP/n.safetensors" 2>&1 >/dev/null | wc -c
$RESCOPE diff --values $S $S 2>&1 >/dev/null | wc -c
