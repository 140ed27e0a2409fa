# needs: real
# Whatever rescope writes it reads back by the directory as well as by the index: a
# sharded PyTorch set named model.bin (model-0000N-of-0000M.bin + model.bin.index.json), a
# directory holding one model.bin, one .h5 (hls4ml-keras2_0_0-3layer-weights-only-h5 holds
# one .h5 and a .json). Two checkpoints in one directory are listed, not guessed (exit 2).
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/pt/model.bin" --max-shard-size 200B |
  sed "s|$TMP|TMP|g"
$RESCOPE ls "$TMP/pt" | tail -n 1
$RESCOPE ls "$TMP/pt/model.bin.index.json" | tail -n 1
mkdir "$TMP/one" && $RESCOPE convert testdata/scopes/model.ckpt "$TMP/one/model.bin" >/dev/null
$RESCOPE ls "$TMP/one" | tail -n 1
$RESCOPE ls "$REAL/hls4ml-keras2_0_0-3layer-weights-only-h5" | tail -n 1
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/one/other.pt" >/dev/null
$RESCOPE ls "$TMP/one" 2>&1 | sed "s|$TMP|TMP|g"
echo "exit ${PIPESTATUS[0]}"
