# needs: real
# An HWIO conv kernel [10, 4, 1, 64] from a real Keras SavedModel, permuted to OIHW while
# converting, checked by independent readers: numpy's transpose of the untransformed tensor
# (read from a plain safetensors conversion with json + struct) must equal what h5py reads
# from the permuted HDF5 output and what the permuted safetensors output holds.
"$PY" -c 'import h5py, numpy' 2>/dev/null ||
  { echo "skipped: judge python ($PY) lacks h5py, numpy: scripts/make-judges-venv.sh" >&2; exit 77; }
in=$REAL/mlperf-tiny-kws-keras-savedmodel
$RESCOPE convert $in $TMP/plain.safetensors --rule 'layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE=k' --drop '*' >/dev/null &&
$RESCOPE convert $in $TMP/oihw.safetensors --map tests/cli/convert/permute_numpy.json >/dev/null &&
$RESCOPE convert $in $TMP/oihw.h5 --map tests/cli/convert/permute_numpy.json >/dev/null &&
"$PY" - "$TMP" <<'PY'
import json, struct, sys
import h5py, numpy as np
d = sys.argv[1]
def load(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    hdr = json.loads(raw[8:8 + n])
    out = {}
    for k, v in hdr.items():
        if k == "__metadata__": continue
        b, e = v["data_offsets"]
        out[k] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype="<f4").reshape(v["shape"])
    return out
k = load(d + "/plain.safetensors")["k"]
want = np.ascontiguousarray(k.transpose(3, 2, 0, 1))
got = load(d + "/oihw.safetensors")
print("hwio", list(k.shape), "-> oihw", list(got["conv.weight"].shape))
print("safetensors equal:", np.array_equal(got["conv.weight"], want))
with h5py.File(d + "/oihw.h5", "r") as f:
    names = []
    f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    w = [f[n][()] for n in names if n.endswith("conv.weight") or "conv.weight" in n]
    print("h5 equal:", len(w) == 1 and np.array_equal(w[0], want))
PY
