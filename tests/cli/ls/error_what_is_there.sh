# needs: real
# When no reader accepts a path, the error says what is there: strerror for a missing
# path, a text file, JSON that is not a manifest (check --expect), an empty file, a
# directory's contents, a TF MetaGraph or SavedModel graph with where their variables are.
cd "$TMP"
printf 'hello\nworld\n' >notes.txt
: >empty.json
echo '{"model": 1}' >other.json
mkdir plain && touch plain/a plain/b
run() { "$RESCOPE" "$@" 2>&1 | sed "s|$REAL|REAL|g"; echo "exit ${PIPESTATUS[0]}"; }
run ls notes.txt
run ls /nonexistent/model.ckpt
run ls plain
run ls other.json
run check "$SRC/testdata/scopes/model.ckpt" --expect empty.json
run check "$SRC/testdata/scopes/model.ckpt" --expect other.json
run ls "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000.meta"
run ls "$REAL/tfserving-half-plus-two-tf1-savedmodel/saved_model.pb"
run ls "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt"
