# needs: real
# A full disk at every point of `rename -o DIR/` (TF bundle data, index, journal, `checkpoint`
# state file): on a small tmpfs, a filler file leaves a little less or a little more room
# than the output needs, one 4 KiB page at a time. Every run must end either with exit 0
# and a complete output (verify passes, the state file names the new prefix) or with exit 2,
# the kernel's "No space left" and nothing of the output left. Needs root to mount a tmpfs;
# elsewhere the case is skipped with a message (CI runs as root and must not skip).
in="$REAL/t2t-transformer-2shard-adam/model.ckpt-1"
mnt="$TMP/mnt"
mkdir -p "$mnt"
if ! mount -t tmpfs -o size=8m tmpfs "$mnt" 2>/dev/null; then
  echo "skipped: cannot mount a tmpfs here (needs root)" >&2
  exit 77
fi
trap 'umount "$mnt"' EXIT
used_kib() { df --output=used "$mnt" | tail -1; }
base=$(used_kib)
"$RESCOPE" rename "$in" --rule losses_avg/=losses/ -o "$mnt/out/" >/dev/null 2>&1 ||
  echo "the rename failed with room to spare"
need=$(( ($(used_kib) - base) * 1024 ))
rm -rf "$mnt/out"
complete=0 absent=0 bad=0
for pages in $(seq -6 3); do
  rm -rf "$mnt/out" "$mnt/filler"
  room=$(( $(df --output=avail -B1 "$mnt" | tail -1) ))
  fill=$(( room - need - pages * 4096 ))
  head -c "$fill" /dev/zero >"$mnt/filler" 2>/dev/null
  "$RESCOPE" rename "$in" --rule losses_avg/=losses/ -o "$mnt/out/" >/dev/null 2>"$TMP/err"
  code=$?
  if [ $code = 0 ] && "$RESCOPE" verify "$mnt/out" >/dev/null 2>&1 &&
    grep -q 'model_checkpoint_path: "model.ckpt-1"' "$mnt/out/checkpoint"; then
    complete=$((complete + 1))
  elif [ $code = 2 ] && grep -q "No space left" "$TMP/err" && [ ! -e "$mnt/out" ]; then
    absent=$((absent + 1))
  else
    bad=$((bad + 1))
    echo "room $pages pages short: exit $code, left: $(ls -A "$mnt/out" 2>/dev/null | tr '\n' ' ')"
  fi
done
echo "runs neither complete nor cleanly refused: $bad"
[ $complete -gt 0 ] && [ $absent -gt 0 ] && echo "both outcomes seen"
