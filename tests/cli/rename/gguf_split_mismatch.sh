# A GGUF split set (made by gguf-py: five 2x3 float32 tensors, two per part, so 3 parts) is
# renamed into a split set only when the output's name says the same part count: a name
# saying 2 parts is refused (exit 2) naming both counts and leaves nothing; a name saying 3
# writes the 3 parts. Another set under that name with another count (--max-shard-size 96:
# 32-byte padded tensors, 3 + 2 per part) is refused too, and the 3 parts stay as they were.
"$PY" -c 'import gguf, numpy' 2>/dev/null ||
  { echo "skipped: judge python ($PY) lacks gguf, numpy: scripts/make-judges-venv.sh" >&2; exit 77; }
mkdir "$TMP/src" "$TMP/o"
"$PY" - "$TMP/src/m.gguf" <<'PY'
import sys
import numpy as np
import gguf
w = gguf.GGUFWriter(sys.argv[1], "llama", split_max_tensors=2)
for i in range(5):
    w.add_tensor(f"blk.{i}.weight", np.full((2, 3), i, dtype=np.float32))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
PY
ls "$TMP/src"
src="$TMP/src/m-00001-of-00003.gguf"
show() { sed "s|$TMP|TMP|g" "$TMP/err"; echo "$(ls -A "$TMP/o" | wc -l) files in the output directory"; }
"$RESCOPE" rename "$src" --rule blk.=layer. -o "$TMP/o/out-00001-of-00002.gguf" >/dev/null 2>"$TMP/err"
echo "2-part name: exit $?"
show
"$RESCOPE" rename "$src" --rule blk.=layer. -o "$TMP/o/out-00001-of-00003.gguf" | tail -n 1 |
  sed "s|$TMP|TMP|g"
ls "$TMP/o"
"$RESCOPE" rename "$src" --rule blk.=layer. -o "$TMP/o/out.gguf" --max-shard-size 96 \
  >/dev/null 2>"$TMP/err"
echo "2 parts beside 3: exit $?"
show
ls "$TMP/o"
