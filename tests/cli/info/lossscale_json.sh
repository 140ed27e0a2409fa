# needs: real
# Two shards (1360 B object graph, 80 B variables), index 839 B.
cd "$REAL" && "$RESCOPE" info --json keras-tf2_2-lossscale-tf2ckpt-2shard
