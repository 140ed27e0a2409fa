# kill -9 at every step of replacing a 3-part GGUF split set in place (made by gguf-py: five
# tensors, two per part; RESCOPE_TEST_KILL_AT_STEP stops the write at its N-th filesystem
# step): no reader is given a mix of old and new parts, and after `rescope recover` the
# directory is byte for byte the old set or the new one. SIGINT right after the temporaries
# are named leaves the old set alone.
. tests/cli/gguf_split_set.inc
base="$TMP/base"
mkdir "$base"
make_gguf_split_set "$base/m.gguf" "kill test"
. tests/cli/kill_every_step.inc
first=m-00001-of-00003.gguf
cp -r "$base" "$TMP/new"
"$RESCOPE" rename "$TMP/new/$first" --rule blk.=layer. -o "$TMP/new/$first" --in-place \
  >/dev/null 2>&1 || echo "the uninterrupted rename failed"
same_as "$base" "$TMP/new" && echo "the rename changed nothing"
kill_every_step "$base" "$TMP/new" "$first" 20 --rule blk.=layer.
w="$TMP/w"
rm -rf "$w"; cp -r "$base" "$w"
RESCOPE_TEST_SIGNAL_AFTER_TEMPS=1:INT "$RESCOPE" rename "$w/$first" --rule blk.=layer. \
  -o "$w/$first" --in-place >/dev/null 2>&1
echo "SIGINT: exit $?, old set intact: $(same_as "$w" "$base" && echo yes || echo no)"
