# A directory output (existing, ending in '/', or a bare name for a non-TF format) gets the
# name the target framework saves under, not the input's stem; the success line names the
# files written.
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/st/" --to safetensors | sed "s|$TMP|TMP|g"
$RESCOPE convert testdata/scopes/model.ckpt "$TMP/pt" --to pytorch | sed "s|$TMP|TMP|g"
mkdir "$TMP/tf"
$RESCOPE convert "$TMP/st/model.safetensors" "$TMP/tf" | sed "s|$TMP|TMP|g"
$RESCOPE convert "$TMP/st/model.safetensors" "$TMP/shards/" --to pytorch --max-shard-size 100B |
  sed "s|$TMP|TMP|g"
cd "$TMP" && ls st pt tf shards
