# needs: real
# --filter is a glob over whole names.
cd "$REAL" && "$RESCOPE" ls --filter 'optimizer/loss_scale/*' keras-tf2_2-lossscale-tf2ckpt-2shard
