# needs: real
# global_step (int64 0, model.ckpt-0) is alone in shard 0: offset 0, crc32c of 8 zero bytes.
cd "$REAL" && "$RESCOPE" ls --json --filter global_step t5x-mtf-tiny-bf16-missing-shard1
