# needs: real
# knowbert's legacy pytorch_model.bin ties the word embedding and the decoder weight: one
# storage, two tensors (bytes [0x4582, 0x48e2) for both). Views of one storage are legal
# and reported as shared, not as an overlap (exit 0).
$RESCOPE verify "$REAL/knowbert-ppb-bertforpretraining-legacy-pt/pytorch_model.bin"
