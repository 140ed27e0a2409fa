# verify --manifest against a renamed copy: the renamed tensor is missing under its old
# name and extra under its new one; the others match although the files differ (files are
# compared only under the same path). --json carries the same lists.
cd "$TMP"
"$RESCOPE" hash "$SRC/testdata/scenario1/model.ckpt" -o m.json >/dev/null
"$RESCOPE" rename "$SRC/testdata/scenario1/model.ckpt" --rule layer2/biases=layer2/bias \
  -o out.ckpt >/dev/null
"$RESCOPE" verify out.ckpt --manifest m.json
echo "exit $?"
"$RESCOPE" verify out.ckpt --manifest m.json --json | tr -d ' \n' |
  sed -E 's/.*("manifest":.*)\}$/\1/'
echo
