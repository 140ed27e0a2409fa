# `maps show NAME` prints the shipped file unchanged (with or without .json), from any
# directory, so that it can start a map of one's own.
cd "$TMP"
$RESCOPE maps show dataparallel/strip-module | cmp - "$SRC/maps/dataparallel/strip-module.json" &&
  echo "same bytes"
$RESCOPE maps show bert/tf1-to-hf-bertmodel.json | cmp - "$SRC/maps/bert/tf1-to-hf-bertmodel.json" &&
  echo "same bytes"
