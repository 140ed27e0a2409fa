# needs: real
# V1 has no data checksums: values are decoded completely instead.
cd "$REAL" && "$RESCOPE" verify tfserving-bad-half-plus-two-v1-single
