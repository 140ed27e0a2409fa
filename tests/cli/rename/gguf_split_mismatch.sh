# A GGUF split set (made by gguf-py: five 2x3 float32 tensors, two per part, so 3 parts) is
# renamed into a split set only when the output's name says the same part count: a name
# saying 2 parts is refused (exit 2) naming both counts and leaves nothing; a name saying 3
# writes the 3 parts. Another set under that name with another count (--max-shard-size 96:
# 32-byte padded tensors, 3 + 2 per part) is refused too, and the 3 parts stay as they were.
. tests/cli/gguf_split_set.inc
mkdir "$TMP/src" "$TMP/o"
make_gguf_split_set "$TMP/src/m.gguf"
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
