# needs: real
cd "$REAL" && "$RESCOPE" info tfserving-half-plus-two-tf1-savedmodel
