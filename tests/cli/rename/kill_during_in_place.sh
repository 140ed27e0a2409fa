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
same_as() { diff -rq "$1" "$2" >/dev/null 2>&1; }
mixes=0 read_mixes=0 old=0 new=0
for step in $(seq 1 30); do
  w="$TMP/w"
  rm -rf "$w" "$TMP/visible"
  cp -r "$base" "$w"
  RESCOPE_TEST_KILL_AT_STEP=$step "$RESCOPE" rename "$w/model.ckpt-1" --rule losses_avg/=losses/ \
    -o "$w/model.ckpt-1" --in-place >/dev/null 2>&1
  # What a reader that ignores rescope's own temporaries would see right now.
  mkdir "$TMP/visible"
  for f in "$w"/*; do case "$f" in *.rescope-*) ;; *) cp "$f" "$TMP/visible/" ;; esac; done
  if ! same_as "$TMP/visible" "$base" && ! same_as "$TMP/visible" "$TMP/new"; then
    "$RESCOPE" ls "$w/model.ckpt-1" >/dev/null 2>&1 && read_mixes=$((read_mixes + 1))
  fi
  "$RESCOPE" recover "$w" >/dev/null
  if same_as "$w" "$base"; then old=$((old + 1))
  elif same_as "$w" "$TMP/new"; then new=$((new + 1))
  else mixes=$((mixes + 1)); fi
done
echo "after recover: $mixes mixed, old and new both seen: $([ $old -gt 0 ] && [ $new -gt 0 ] && echo yes || echo no)"
echo "mixed directories rescope agreed to read: $read_mixes"
# The next write into the directory replays the journal by itself, and says so.
rm -rf "$w"; cp -r "$base" "$w"
RESCOPE_TEST_KILL_AT_STEP=5 "$RESCOPE" rename "$w/model.ckpt-1" --rule losses_avg/=losses/ \
  -o "$w/model.ckpt-1" --in-place >/dev/null 2>&1
"$RESCOPE" rename "$w/model.ckpt-1" --rule losses_avg/=losses/ -o "$w/model.ckpt-1" --in-place \
  2>"$TMP/err" >/dev/null
grep -q "rolled back an interrupted write" "$TMP/err" && echo "next write replayed the journal"
same_as "$w" "$TMP/new" && echo "and wrote the new checkpoint"
