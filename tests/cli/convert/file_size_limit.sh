# needs: real
# Under a file-size limit (ulimit -f, 100 KiB here) every writer fails cleanly: exit 2, the
# kernel's EFBIG message ("File too large"), no signal (SIGXFSZ, exit 153; or a crash in
# HDF5's exit handler, exit 139) and nothing left in the output directory.
in="$REAL/t2t-transformer-2shard-adam"
for out in out.safetensors pytorch_model.bin weights.h5 model.ckpt; do
  dir="$TMP/$out.d"
  mkdir -p "$dir"
  (ulimit -f 100; "$RESCOPE" convert "$in" "$dir/$out" 2>"$dir.err" >/dev/null)
  code=$?
  grep -q "File too large" "$dir.err" && said="says File too large" || said="$(cat "$dir.err")"
  echo "$out: exit $code, $(ls -A "$dir" | wc -l) files left, $said"
done
