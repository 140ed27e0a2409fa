# SPDX-License-Identifier: Apache-2.0
"""Judge (issue 11, item 7): every .safetensors rescope writes opens with safetensors itself.

Outputs of convert from PyTorch (torch.save, tied weights included), from a TensorFlow bundle TF
wrote and from Keras HDF5, and of rename of a safetensors file, one file and sharded sets: each
opens with safetensors.safe_open and safetensors.numpy.load_file / safetensors.torch.load_file,
values equal what the writing framework wrote, and `__metadata__` says {"format": "pt"} as
save_pretrained writes it (a source's own metadata is kept instead). Sharded sets are read
through their index.
"""
import json
import os

import h5py
import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import load_file as np_load_file
from safetensors.numpy import save_file as np_save_file
from safetensors.torch import load_file as torch_load_file

import judgelib as j

out = j.scratch("st")

def read_all(what, path, metadata=None):
    """Every tensor of one file through all three readers; the numpy values are returned."""
    metadata = metadata or {"format": "pt"}
    with safe_open(path, framework="np") as f:
        j.check(f.metadata() == metadata, f"{what}: metadata {f.metadata()}, expected {metadata}")
        opened = {k: f.get_tensor(k) for k in f.keys()}
    loaded = np_load_file(path)
    j.same_dict(f"{what}: safe_open vs numpy.load_file", opened, loaded)
    as_torch = torch_load_file(path)
    j.same_dict(f"{what}: numpy vs torch.load_file", loaded,
                {k: v.numpy() for k, v in as_torch.items()})
    return loaded

def read_set(what, index_path, metadata=None):
    """A sharded set read as transformers does: the index's weight_map, shard by shard."""
    if not j.check(os.path.exists(index_path), f"{what}: {index_path} not written"):
        return {}
    with open(index_path) as f:
        index = json.load(f)
    folder = os.path.dirname(index_path)
    merged = {}
    for shard in sorted(set(index["weight_map"].values())):
        part = read_all(f"{what} {shard}", os.path.join(folder, shard), metadata)
        for key in part:
            j.check(index["weight_map"].get(key) == shard, f"{what}: {key} not in {shard} per index")
        merged.update(part)
    j.check(sorted(merged) == sorted(index["weight_map"]), f"{what}: index and shards differ")
    j.check(len(set(index["weight_map"].values())) > 1, f"{what}: only one shard")
    total = sum(v.nbytes for v in merged.values())
    j.check(index["metadata"]["total_size"] == total,
            f"{what}: total_size {index['metadata']['total_size']}, tensors hold {total}")
    return merged

# 1. From PyTorch: torch.save of a state_dict with a tied weight and several dtypes.
torch.manual_seed(1)
embed = torch.randn(10, 4)
state = {
    "embed.weight": embed,
    "decoder.weight": embed,  # tied: one storage, two names
    "proj.weight": torch.randn(3, 4, dtype=torch.float64),
    "half": torch.randn(5).half(),
    "steps": torch.arange(6, dtype=torch.int64).reshape(2, 3),
    "mask": torch.tensor([True, False, True]),
}
pt_path = os.path.join(out, "state.pt")
torch.save(state, pt_path)
expected = {k: v.numpy() for k, v in state.items()}
j.run("convert", pt_path, os.path.join(out, "from_pt.safetensors"))
j.same_dict("PyTorch -> safetensors", expected,
            read_all("PyTorch -> safetensors", os.path.join(out, "from_pt.safetensors")))
j.run("convert", pt_path, os.path.join(out, "from_pt_dir"), "--to", "safetensors",
      "--max-shard-size", "100B")
j.same_dict("PyTorch -> sharded", expected,
            read_set("PyTorch -> sharded", os.path.join(out, "from_pt_dir", "model.safetensors.index.json")))

# 2. From a TensorFlow bundle TF wrote: half_plus_two (PROVENANCE.md: a=0.5, b=2, c=3).
tf_dir = j.data("tfserving-half-plus-two-tf1-savedmodel")
known = {k: np.float32(v) for k, v in {"a": 0.5, "a2": 0.5, "b": 2, "c": 3, "c2": 3}.items()}
j.run("convert", tf_dir, os.path.join(out, "hp2.safetensors"))
j.same_dict("TF -> safetensors", known, read_all("TF -> safetensors", os.path.join(out, "hp2.safetensors")))
j.run("convert", tf_dir, os.path.join(out, "hp2_shards", "model.safetensors"), "--max-shard-size", "8B")
j.same_dict("TF -> sharded", known,
            read_set("TF -> sharded", os.path.join(out, "hp2_shards", "model.safetensors.index.json")))

# 3. From Keras HDF5 (hls4ml 3-layer weights), values as h5py reads them.
h5_path = os.path.join(j.data("hls4ml-keras2_0_0-3layer-weights-only-h5"), "KERAS_3layer_weights.h5")
from_h5 = {}
with h5py.File(h5_path, "r") as h5:
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            layer, weight = name.split("/")[0], name.split("/")[-1].split(":")[0]
            from_h5[f"{layer}/{weight}"] = obj[()]
    h5.visititems(visit)
j.check(len(from_h5) == 8, f"h5py found {len(from_h5)} datasets, expected 8")
j.run("convert", h5_path, os.path.join(out, "keras.safetensors"))
j.same_dict("HDF5 -> safetensors", from_h5, read_all("HDF5 -> safetensors", os.path.join(out, "keras.safetensors")))
j.run("convert", h5_path, os.path.join(out, "keras_shards") + "/", "--to", "safetensors",
      "--max-shard-size", "5KB")
j.same_dict("HDF5 -> sharded", from_h5,
            read_set("HDF5 -> sharded", os.path.join(out, "keras_shards", "model.safetensors.index.json")))

# 4. rename of safetensors files numpy wrote: without metadata (gets format pt), with its own
# metadata (kept), and into a sharded set read back by rescope through its directory.
rng = np.random.default_rng(2)
plain = {"fc1.weight": rng.standard_normal((4, 3)).astype(np.float32),
         "fc1.bias": rng.standard_normal(4).astype(np.float32),
         "fc2.weight": rng.standard_normal((2, 4)).astype(np.float32)}
renamed = {k.replace("fc1.", "encoder."): v for k, v in plain.items()}
rule_map = os.path.join(out, "map.json")
with open(rule_map, "w") as f:
    f.write('{"rules": [{"regex": "fc1\\\\.(.*)", "to": "encoder.$1"}]}')
np_save_file(plain, os.path.join(out, "plain.safetensors"))
j.run("rename", os.path.join(out, "plain.safetensors"), "--map", rule_map,
      "-o", os.path.join(out, "renamed.safetensors"))
j.same_dict("rename", renamed, read_all("rename", os.path.join(out, "renamed.safetensors")))
np_save_file(plain, os.path.join(out, "own_meta.safetensors"), metadata={"format": "np", "step": "7"})
j.run("rename", os.path.join(out, "own_meta.safetensors"), "--map", rule_map,
      "-o", os.path.join(out, "renamed_meta.safetensors"))
j.same_dict("rename keeps metadata", renamed,
            read_all("rename keeps metadata", os.path.join(out, "renamed_meta.safetensors"),
                     {"format": "np", "step": "7"}))
j.run("rename", os.path.join(out, "plain.safetensors"), "--map", rule_map,
      "-o", os.path.join(out, "renamed_set", "model.safetensors"), "--max-shard-size", "40B")
j.same_dict("rename sharded", renamed,
            read_set("rename sharded", os.path.join(out, "renamed_set", "model.safetensors.index.json")))
listed, _ = j.run("ls", os.path.join(out, "renamed_set"), "--json")
j.check(sorted(v["name"] for v in json.loads(listed)["variables"]) == sorted(renamed),
        "rescope ls of the sharded directory")

j.finish()
