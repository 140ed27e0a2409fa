# needs: real
# Value from: h5dump -m %.9g -d /dense_2/dense_2_1/bias:0 default-...-weights.h5 (-0.00111484516):
# the weight named dense_2_1/bias in layer group dense_2.
cd "$REAL" && "$RESCOPE" show --json \
  kerastuner-keras2_2_4tf-weights-only-h5/default-default-4c187b34628a4d98918122f7b9301cfa-1556841981-weights.h5 \
  dense_2_1/bias
