# A map read from a pipe (no size to read ahead) is read whole; a directory given as a map
# is an empty text, refused as a parse error (a size taken from it once meant a huge
# allocation and an internal error).
mkdir "$TMP/a_directory"
$RESCOPE rename testdata/scopes/model.ckpt --map "$TMP/a_directory" --dry-run
echo "directory: exit $?"
$RESCOPE rename testdata/scopes/model.ckpt --dry-run \
  --map <(printf '{"global_step": "step",\n "never/seen": "x"}') --allow-unmatched
echo "pipe: exit $?"
