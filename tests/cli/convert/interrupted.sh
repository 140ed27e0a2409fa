# needs: real
# Ctrl-C (SIGINT), kill (SIGTERM) and a closed terminal (SIGHUP) in the middle of a write:
# the run ends with the signal (exit 128+N, as shells expect), says so, and leaves neither
# temporaries nor the directory it created. RESCOPE_TEST_SIGNAL_AFTER_TEMPS=N:SIG sends the
# signal right after the N-th temporary is named, when the earlier ones are on disk.
in="$REAL/t2t-transformer-2shard-adam"
keras="$REAL/keras3-custom-model-with-adam-keras-zip"
run() {  # label, signal spec, then the convert arguments after the input
  local label=$1 spec=$2 src=$3
  shift 3
  rm -rf "$TMP/o"
  RESCOPE_TEST_SIGNAL_AFTER_TEMPS=$spec "$RESCOPE" convert "$src" "$@" >/dev/null 2>"$TMP/err"
  local code=$?
  local said=no
  grep -q "interrupted by SIG" "$TMP/err" && said=yes
  local left=absent
  [ -e "$TMP/o" ] && left="$(find "$TMP/o" | wc -l) paths"
  echo "$label: exit $code, message $said, output dir $left"
}
run "tf bundle, INT after data shard" 2:INT "$in" "$TMP/o/new/model.ckpt"
run "tf bundle, TERM after data shard" 2:TERM "$in" "$TMP/o/new/model.ckpt"
run "tf bundle, HUP after data shard" 2:HUP "$in" "$TMP/o/new/model.ckpt"
run "safetensors shards, INT after 2 shards" 3:INT "$in" "$TMP/o/hf/" --to safetensors \
  --max-shard-size 300KB
run "pytorch shards, INT after 2 shards" 3:INT "$in" "$TMP/o/hf/" --to pytorch \
  --max-shard-size 300KB
run "keras archive, INT after weights" 2:INT "$keras"/*.keras "$TMP/o/k/model.keras"
run "hdf5, INT at its only temporary" 1:INT "$in" "$TMP/o/h/weights.h5"
# A signal while files are being swapped into place waits for the swap: the output is then
# complete (verify passes) and the run still ends with the signal.
rm -rf "$TMP/o"
mkdir -p "$TMP/o"
RESCOPE_TEST_KILL_AT_STEP=2 RESCOPE_TEST_KILL_SIGNAL=INT "$RESCOPE" convert "$in" \
  "$TMP/o/model.ckpt" >/dev/null 2>&1
echo "INT during the swap: exit $?"
"$RESCOPE" verify "$TMP/o/model.ckpt" >/dev/null 2>&1 && echo "the output is complete: verify passes"
find "$TMP/o" -name '*.rescope-*' | wc -l | sed 's/$/ temporaries left/'
# An ignored SIGINT (nohup, background jobs of a script) stays ignored.
rm -rf "$TMP/o"
(trap '' INT; RESCOPE_TEST_SIGNAL_AFTER_TEMPS=1:INT "$RESCOPE" convert "$in" "$TMP/o/m.safetensors" \
  >/dev/null 2>&1)
echo "ignored SIGINT: exit $?, output $([ -f "$TMP/o/m.safetensors" ] && echo written || echo missing)"
