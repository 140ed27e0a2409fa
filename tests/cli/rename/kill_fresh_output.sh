# needs: real
# kill -9 at every filesystem step of a copy-mode rename into an empty directory
# (RESCOPE_TEST_KILL_AT_STEP, as in kill_every_step.inc). A fresh TF bundle is committed by
# the rename of its index, the last file of the set, so after every kill the output is
# absent (no .index; an orphan data shard is refused with "interrupted", and removed by
# `recover`) or complete (`verify` passes), with or without `recover` first.
# The steps of a fresh 2-file set: 1 write the journal, 2 publish it, 3 rename the data
# shard, 4 rename the index, 5 mark the journal done, 6 remove it; 7 is never reached.
src="$REAL/keras-bert-google-run-pretraining-tf1_11-tiny-ckpt/bert_model.ckpt"
out="$TMP/out"
state() {
  if [ ! -e "$out/model.ckpt.index" ]; then
    "$RESCOPE" ls "$out/model.ckpt" >/dev/null 2>&1 && echo "absent, yet readable" || echo absent
  elif "$RESCOPE" verify "$out/model.ckpt" >/dev/null 2>&1; then echo complete
  else echo "visible but does not verify"; fi
}
for step in 1 2 3 4 5 6 7; do
  rm -rf "$out"
  mkdir -p "$out"
  RESCOPE_TEST_KILL_AT_STEP=$step "$RESCOPE" rename "$src" --rule bert/=net/ \
    -o "$out/model.ckpt" >/dev/null 2>&1
  code=$?
  before=$(state)
  "$RESCOPE" recover "$out" >/dev/null 2>&1
  left=$(ls -A "$out" | grep -c rescope-)
  echo "step $step: exit $code, $before; after recover $(state), $left leftovers"
done
