# needs: real
# A V1 checkpoint (SavedTensorSlices): a and b, float32 scalars.
cd "$REAL" && "$RESCOPE" ls tfserving-session-bundle-v1-sharded
