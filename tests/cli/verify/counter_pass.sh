# needs: real
cd "$REAL" && "$RESCOPE" verify tfserving-counter-tf1_5-savedmodel
