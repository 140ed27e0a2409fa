# needs: real
# --regex keeps names containing a match.
cd "$REAL" && "$RESCOPE" ls --regex kernel keras-tf2_2-lossscale-tf2ckpt-2shard
