# needs: real
# Keras 2.4.0 ResNet-8 full model: 117 datasets, optimizer Adam/<layer>/<var>/m and v.
# Expected: weight_names / dataset headers from h5dump -A and h5dump -H -A 0 -d (PROVENANCE.md).
cd "$REAL" && "$RESCOPE" ls mlperf-tiny-resnet-keras2_4_0-full-h5/pretrainedResnet.h5
