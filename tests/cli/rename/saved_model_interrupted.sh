# A SavedModel is built in a folder beside its target (NEW.rescope-savedmodel-<pid>-<id>)
# and renamed into place when complete. Ctrl-C, kill and SIGHUP in the middle remove that
# folder with all it holds; after kill -9 it stays, and the next write into the same parent
# (or `rescope recover`) removes it and says so, while a live process's folder is left alone.
"$PY" -c 'import tensorflow' 2>/dev/null ||
  { echo "skipped: judge python ($PY) lacks tensorflow: scripts/make-judges-venv.sh" >&2; exit 77; }
CUDA_VISIBLE_DEVICES="" TF_CPP_MIN_LOG_LEVEL=3 "$PY" - "$TMP/sm" >/dev/null 2>&1 <<'PY' || exit 1
import sys
import tensorflow as tf
root = tf.Module()
root.inner = tf.Module()
root.inner.v = tf.Variable([1.0, 2.0])
tf.saved_model.save(root, sys.argv[1])
PY
anon() { sed "s|$TMP|\$TMP|g; s/-[0-9]*-[0-9a-f]\{16\}/-PID-ID/g; s/process [0-9]*/process PID/g"; }
rename_to() { "$RESCOPE" rename "$TMP/sm" --rule inner/=outer/ -o "$TMP/o/$1/"; }
run() {  # label, signal spec
  rm -rf "$TMP/o" && mkdir -p "$TMP/o"
  RESCOPE_TEST_SIGNAL_AFTER_TEMPS=$2 rename_to new >/dev/null 2>"$TMP/err"
  local code=$?
  local said=no
  grep -q "interrupted by SIG" "$TMP/err" && said=yes
  echo "$1: exit $code, message $said, $(ls -A "$TMP/o" | wc -l) entries beside the target"
}
run "INT at the variables data shard" 1:INT
run "TERM at the variables index" 2:TERM
run "HUP at saved_model.pb (bundle complete)" 3:HUP
echo "-- kill -9 inside the bundle write"
rm -rf "$TMP/o" && mkdir -p "$TMP/o"
RESCOPE_TEST_KILL_AT_STEP=1 rename_to new >/dev/null 2>&1
echo "exit $?"
ls -A "$TMP/o" | anon
# A build folder named for a process that runs (this shell) is not touched.
mkdir "$TMP/o/other.rescope-savedmodel-$$-0123456789abcdef"
echo "-- the next rename into the same parent"
rename_to new2 >/dev/null 2>"$TMP/err"
echo "exit $?"
grep "build folder" "$TMP/err" | anon
ls -A "$TMP/o" | anon
"$RESCOPE" verify "$TMP/o/new2" >/dev/null && echo "new2 verifies"
echo "-- recover"
RESCOPE_TEST_KILL_AT_STEP=1 rename_to new3 >/dev/null 2>&1
"$RESCOPE" recover "$TMP/o" | anon
ls -A "$TMP/o" | anon
