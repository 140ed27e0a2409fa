# SPDX-License-Identifier: Apache-2.0
"""Independent check of PyTorch files rescope writes: loads them with torch itself.

Usage: torch_check.py TORCH_DIR REAL_DIR OUT_DIR
Every output in OUT_DIR was written by the golden case tests/cli/convert/torch_load.sh;
each is loaded with torch.load(weights_only=True) and compared with what torch reads from
the original file (or, for TF input, with values defined in testdata/README.md).
Prints one line per check; any mismatch raises.
"""
import json
import os
import sys

import torch

torch_dir, real_dir, out = sys.argv[1:4]


def load(path):
    return torch.load(path, map_location="cpu", weights_only=True)


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)


# 1. DataParallel prefix stripped: same tensors in the same order, _metadata renamed.
orig = load(os.path.join(torch_dir, "dataparallel_state_dict.pt"))
got = load(os.path.join(out, "stripped.pt"))
want_keys = [k[len("module."):] for k in orig]
assert list(got) == want_keys, (list(got), want_keys)
assert all(same(got[k[len("module."):]], v) for k, v in orig.items())
meta = [k for k in got._metadata]
assert meta == ["" if k == "module" else k[len("module."):] for k in orig._metadata if k != ""], meta
print("strip module.:", len(got), "tensors equal, _metadata", meta[:3])

# 2. Views and tied weights survive a rename: values equal, ties share storage.
orig = load(os.path.join(torch_dir, "shared_and_views.pt"))
got = load(os.path.join(out, "views.pt"))
assert sorted(got) == sorted("model." + k for k in orig)
assert all(same(got["model." + k], v) for k, v in orig.items())
tied = got["model.embed.weight"].storage().data_ptr() == got["model.lm_head.weight"].storage().data_ptr()
print("views renamed:", len(got), "tensors equal, tied weights share storage:", tied)

# 3. Every dtype of the fixture (bf16, complex, bool, empty, scalars), through a TF bundle.
orig = load(os.path.join(torch_dir, "dtypes.pt"))
got = load(os.path.join(out, "dtypes.pt"))
assert sorted(got) == sorted(orig)
assert all(same(got[k], v) for k, v in orig.items())
print("dtypes via a TF bundle:", len(got), "tensors equal")

# 4. Shards as save_pretrained writes them.
index = json.load(open(os.path.join(out, "shards", "pytorch_model.bin.index.json")))
orig = load(os.path.join(torch_dir, "plain_state_dict.pt"))
merged = {}
for shard in sorted(set(index["weight_map"].values())):
    merged.update(load(os.path.join(out, "shards", shard)))
assert sorted(merged) == sorted(orig) == sorted(index["weight_map"])
assert all(same(merged[k], v) for k, v in orig.items())
total = sum(v.numel() * v.element_size() for v in orig.values())
assert index["metadata"]["total_size"] == total
print("shards:", len(set(index["weight_map"].values())), "files,", len(merged),
      "tensors equal, total_size", total)

# 5. A TF checkpoint converted with transposes: values from testdata/README.md.
got = load(os.path.join(out, "scopes.pt"))
w = torch.arange(12, dtype=torch.float32).mul(0.25).sub(1).reshape(3, 4)
assert same(got["layer_a.weight"], w.t().contiguous())
b = torch.arange(8, dtype=torch.float32).mul(-0.5).add(2).reshape(4, 2)
assert same(got["layer_b.weight"], b.t().contiguous())
print("TF -> PyTorch with transpose:", sorted(got))

# 6. Google's TF1 BERT through the shipped map: key set and shapes of a real
#    BertForPreTraining state_dict (knowbert, also 2 layers) minus the tied decoder.
got = load(os.path.join(out, "bert.pt"))
ref = torch.load(os.path.join(real_dir, "knowbert-ppb-bertforpretraining-legacy-pt",
                              "pytorch_model.bin"), map_location="cpu")
ref_keys = set(ref) - {"cls.predictions.decoder.weight"}
assert set(got) == ref_keys, sorted(set(got) ^ ref_keys)
print("BERT TF1 -> HF:", len(got), "keys = BertForPreTraining keys minus the tied decoder")
