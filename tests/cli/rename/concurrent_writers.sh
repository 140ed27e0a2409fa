# needs: real
# Two renames writing into one directory at the same time: each run's temporaries are its
# own and commits into a directory are serialized, so the directory ends up holding exactly
# one run's complete output (never a mix), and both runs succeed.
src="$REAL/t2t-transformer-2shard-adam"
mkdir "$TMP/a" "$TMP/b"
"$RESCOPE" rename "$src" --rule losses_avg/=la/ -o "$TMP/a/" >/dev/null 2>&1
"$RESCOPE" rename "$src" --rule losses_avg/=lb/ -o "$TMP/b/" >/dev/null 2>&1
mixed=0 failed=0
for pair in $(seq 1 20); do
  rm -rf "$TMP/o"; mkdir "$TMP/o"
  "$RESCOPE" rename "$src" --rule losses_avg/=la/ -o "$TMP/o/" >/dev/null 2>&1 &
  first=$!
  "$RESCOPE" rename "$src" --rule losses_avg/=lb/ -o "$TMP/o/" >/dev/null 2>&1 || failed=$((failed + 1))
  wait "$first" || failed=$((failed + 1))
  if ! diff -rq "$TMP/o" "$TMP/a" >/dev/null && ! diff -rq "$TMP/o" "$TMP/b" >/dev/null; then
    mixed=$((mixed + 1))
  fi
done
echo "20 pairs: $mixed mixed, $failed failed"
