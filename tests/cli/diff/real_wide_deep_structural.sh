# needs: real
# Steps 999 and 1000 of the same Estimator: the same 60 names, dtypes and shapes. Without
# --values the stored CRC32Cs already prove that 52 tensors changed (issue 10: this said
# "same"); the 8 with equal checksums stay unchecked. Step 0 vs 1000 likewise.
$RESCOPE diff "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-999" \
  "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000"
echo "exit $?"
$RESCOPE diff "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-0" \
  "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" | head -1
# The checksum verdict agrees with the values: --values finds the same 52.
$RESCOPE diff --values "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-999" \
  "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" | head -1
# A rename is found by checksum, dtype and shape, as git finds renames.
$RESCOPE rename "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" --rule global_step=step \
  -o "$TMP/renamed" >/dev/null
$RESCOPE diff "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" "$TMP/renamed"
echo "exit $?"
$RESCOPE diff --json "$REAL/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000" "$TMP/renamed" |
  grep -E '"(renamed_to|evidence|renamed)"'
