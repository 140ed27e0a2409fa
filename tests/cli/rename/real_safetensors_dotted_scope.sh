# needs: real
# safetensors names are dotted: scope fc1. is the segment fc1 (never fc10 or fc1x), and a
# scope written with '/' means the same; the names after the rename, by ls.
ST="$REAL/burn-multi-layer-safetensors/multi_layer.safetensors"
$RESCOPE rename "$ST" --rule fc1.=dense1. -o "$TMP/out.safetensors" | grep -v '^wrote\|^note'
$RESCOPE ls "$TMP/out.safetensors" | awk 'NR > 1 && $1 ~ /[a-z]/ {print $1}'
$RESCOPE rename "$ST" --rule norm1/=bn/ --dry-run | grep renamed
