# kill -9 at every step of replacing a 3-part GGUF split set in place (made by gguf-py: five
# tensors, two per part; RESCOPE_TEST_KILL_AT_STEP stops the write at its N-th filesystem
# step): no reader is given a mix of old and new parts, and after `rescope recover` the
# directory is byte for byte the old set or the new one. SIGINT right after the temporaries
# are named leaves the old set alone.
"$PY" -c 'import gguf, numpy' 2>/dev/null ||
  { echo "skipped: judge python ($PY) lacks gguf, numpy: scripts/make-judges-venv.sh" >&2; exit 77; }
base="$TMP/base"
mkdir "$base"
"$PY" - "$base/m.gguf" <<'PY'
import sys
import numpy as np
import gguf
w = gguf.GGUFWriter(sys.argv[1], "llama", split_max_tensors=2)
w.add_string("general.name", "kill test")
for i in range(5):
    w.add_tensor(f"blk.{i}.weight", np.full((2, 3), i, dtype=np.float32))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
PY
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
