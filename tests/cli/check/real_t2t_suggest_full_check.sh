# needs: real
# The README's refactor workflow on tensor2tensor's layout: the map suggested from the model
# weights alone (--model-only) names only the model's scope, yet the rename moves the 76
# training/<var>/Adam{,_1} slots too, so the full check (optimizer state included) passes.
# The expected manifest is the original listing with the scope replaced by sed.
T2T="$REAL/t2t-transformer-2shard-adam"
$RESCOPE ls --json "$T2T" | sed 's#transformer/body/decoder/#transformer/body/dec/#g' \
  >"$TMP/expected.json"
$RESCOPE check "$T2T" --expect "$TMP/expected.json" --model-only --suggest-map "$TMP/m.json" \
  >/dev/null
echo "check before: exit $?"
$RESCOPE rename "$T2T" --map "$TMP/m.json" -o "$TMP/new/model.ckpt" |
  grep -oE '^[0-9]+ renamed.*|[0-9]+ variables, [0-9]+ optimizer slots$'
$RESCOPE check "$TMP/new/model.ckpt" --expect "$TMP/expected.json" >/dev/null
echo "check after: exit $?"
