# needs: real
cd "$REAL" && "$RESCOPE" verify tfserving-half-plus-two-tf1-savedmodel
