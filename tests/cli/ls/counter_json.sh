# needs: real
# One float32 scalar 0.0; crc32c(00 00 00 00) = 0x48674bc7.
cd "$REAL" && "$RESCOPE" ls --json tfserving-counter-tf1_5-savedmodel
