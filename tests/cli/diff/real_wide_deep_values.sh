# needs: real
# Steps 999 vs 1000 with --values: 52 entries differ, 8 are byte-identical.
# Statistics checked independently from the raw data files, at the offsets given by
# `rescope ls --json` (dnn/logits/bias at 50176, global_step at 50316, company_xf/weights
# at 50328, dnn/hiddenlayer_0/bias at 0, the same in both files):
#   cd "$REAL/tfx-estimator-wide-deep-3ckpts" && python3 -c 'import struct
#   def rd(s, off, n, f):
#       d = open("model.ckpt-%d.data-00000-of-00001" % s, "rb").read()
#       return struct.unpack_from("<%d%s" % (n, f), d, off)
#   a, b = rd(999, 50176, 1, "f")[0], rd(1000, 50176, 1, "f")[0]
#   print(a, b, abs(a - b), abs(a - b) / abs(b))
#   print(rd(999, 50316, 1, "q"), rd(1000, 50316, 1, "q"))'
# gives dnn/logits/bias -0.06890949606895447 vs -0.06889794021844864, abs diff
# 1.1555850505828857e-05, rel diff 0.00016772417969520916; global_step (999,) (1000,).
# The same over company_xf/weights [1010]: 7 elements differ, max abs 0.00014279037714004517,
# max rel 0.009724147022074359, first [0] -0.09105002880096436 vs -0.090951107442379;
# over hiddenlayer_0/bias [100]: 100 differ, max abs 3.921613097190857e-05, max rel
# 0.039281851685551115.
W="$REAL/tfx-estimator-wide-deep-3ckpts"
$RESCOPE diff --values "$W/model.ckpt-999" "$W/model.ckpt-1000" >"$TMP/all"
echo "exit $?"
head -2 "$TMP/all"
$RESCOPE diff --values --filter global_step --filter dnn/logits/bias \
  --filter linear/linear_model/company_xf/weights --filter dnn/hiddenlayer_0/bias \
  "$W/model.ckpt-999" "$W/model.ckpt-1000"
echo "exit $?"
$RESCOPE diff --values --json --filter dnn/logits/bias "$W/model.ckpt-999" "$W/model.ckpt-1000" |
  python3 -c 'import json, sys; v = json.load(sys.stdin)["entries"][0]["values"]
print(v["first_a"], v["first_b"], v["max_abs_diff"], v["max_rel_diff"])'
