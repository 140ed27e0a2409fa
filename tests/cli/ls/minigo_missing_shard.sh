# needs: real
# An index without its data shard lists fine and ends with a note.
cd "$REAL" && "$RESCOPE" ls --filter 'dense_1/kernel*' swift-models-minigo-index-only
