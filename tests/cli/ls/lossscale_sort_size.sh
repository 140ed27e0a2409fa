# needs: real
# Largest first; equal sizes stay in name order. Shard 0 (1360 B) is the object graph,
# shard 1 (80 B) the ten variables.
cd "$REAL" && "$RESCOPE" ls --sort size keras-tf2_2-lossscale-tf2ckpt-2shard
