# needs: real
# Scope tree of the smallest TF2 checkpoint: object graph (619 B) and a, b, c.
cd "$REAL" && "$RESCOPE" ls --tree tfserving-half-plus-two-tf2-savedmodel
