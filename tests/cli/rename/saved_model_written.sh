# A TF2 SavedModel (written by TensorFlow from the judge environment) renamed into a new
# directory: the success lines name what was rewritten and written, fingerprint.pb is left
# out, and the new directory holds a complete SavedModel (tests/judges/test_saved_model.py
# loads such output in TensorFlow).
"$PY" -c 'import tensorflow' 2>/dev/null ||
  { echo "skipped: judge python ($PY) lacks tensorflow: scripts/make-judges-venv.sh" >&2; exit 77; }
set -e
CUDA_VISIBLE_DEVICES="" TF_CPP_MIN_LOG_LEVEL=3 "$PY" - "$TMP/sm" >/dev/null 2>&1 <<'PY'
import sys
import tensorflow as tf
root = tf.Module()
root.inner = tf.Module()
root.inner.v = tf.Variable([1.0, 2.0])
tf.saved_model.save(root, sys.argv[1])
PY
$RESCOPE rename "$TMP/sm" --rule inner/=outer/ -o "$TMP/new/" | sed "s|$TMP|\$TMP|g"
cd "$TMP" && ls -A new new/variables && test ! -e new/fingerprint.pb
