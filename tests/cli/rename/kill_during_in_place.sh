# needs: real
# kill -9 at every step of replacing a 2-shard TF bundle in place (RESCOPE_TEST_KILL_AT_STEP
# stops the write at its N-th filesystem step, as a power cut would): afterwards no reader
# sees a mix of old and new files (rescope refuses to read until `recover` has run), and
# after `rescope recover` the directory is byte-for-byte the old checkpoint or the new one.
base="$TMP/base"
cp -r "$REAL/t2t-transformer-2shard-adam" "$base"
cp -r "$base" "$TMP/new"
"$RESCOPE" rename "$TMP/new/model.ckpt-1" --rule losses_avg/=losses/ -o "$TMP/new/model.ckpt-1" \
  --in-place >/dev/null 2>&1 || echo "the uninterrupted rename failed"
. tests/cli/kill_every_step.inc
kill_every_step "$base" "$TMP/new" model.ckpt-1 30 --rule losses_avg/=losses/
w="$TMP/w"
# The next write into the directory replays the journal by itself, and says so.
rm -rf "$w"; cp -r "$base" "$w"
RESCOPE_TEST_KILL_AT_STEP=5 "$RESCOPE" rename "$w/model.ckpt-1" --rule losses_avg/=losses/ \
  -o "$w/model.ckpt-1" --in-place >/dev/null 2>&1
"$RESCOPE" rename "$w/model.ckpt-1" --rule losses_avg/=losses/ -o "$w/model.ckpt-1" --in-place \
  2>"$TMP/err" >/dev/null
grep -q "rolled back an interrupted write" "$TMP/err" && echo "next write replayed the journal"
same_as "$w" "$TMP/new" && echo "and wrote the new checkpoint"
