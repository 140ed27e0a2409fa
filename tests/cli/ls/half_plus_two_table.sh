# needs: real
# The 5 float32 scalars of half_plus_two (PROVENANCE.md), 4 bytes each.
cd "$REAL" && "$RESCOPE" ls tfserving-half-plus-two-tf1-savedmodel
