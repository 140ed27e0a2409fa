# needs: real
# tensor2tensor keeps Adam slots beside the model, as training/<var>/Adam and /Adam_1: a scope
# rename of the decoder must carry them, so the full check (not --model-only) against the
# renamed model's manifest passes. The manifest is the original listing with the scope
# replaced by sed; the counts come from grep over that listing.
T2T="$REAL/t2t-transformer-2shard-adam"
$RESCOPE ls --json "$T2T" >"$TMP/orig.json"
sed 's#transformer/body/decoder/#transformer/body/dec/#g' "$TMP/orig.json" >"$TMP/expected.json"
echo "variables: $(grep -c '"name": "transformer/body/decoder/' "$TMP/orig.json")"
echo "slots: $(grep -c '"name": "training/transformer/body/decoder/' "$TMP/orig.json")"
$RESCOPE rename "$T2T" --rule transformer/body/decoder/=transformer/body/dec/ \
  -o "$TMP/new/model.ckpt" | grep -E 'renamed|optimizer slot'
$RESCOPE check "$TMP/new/model.ckpt" --expect "$TMP/expected.json" | head -1
