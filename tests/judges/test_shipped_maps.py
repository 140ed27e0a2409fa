# SPDX-License-Identifier: Apache-2.0
"""Shipped presets, used by name (`--map NAME`), judged by the frameworks that wrote the input.

- torch-compile/strip-orig-mod and strip-orig-mod-module, dataparallel/strip-module: the keys
  torch.compile and nn.DataParallel really produce; the model loads the result strict=True.
- dataparallel/add-module: a bare state_dict loads into nn.DataParallel(model) strict=True.
- bert/hf-bertforpretraining-to-tf1: Google's TF1 BERT -> Hugging Face -> TF1 gives every
  model tensor back byte for byte (read by TensorFlow), and a real Hugging Face
  BertForPreTraining file -> TF1 -> Hugging Face gives every tensor back (read by torch).
- tf2/strip-attributes: a TF2 checkpoint converted to safetensors holds what TensorFlow reads
  under the names without "/.ATTRIBUTES/VARIABLE_VALUE".
Each rescope run happens in a scratch directory, so the names resolve as shipped maps, not as
files of the source tree.
"""
import os

import numpy as np
import torch
from safetensors.numpy import load_file

from judgelib import check, data, finish, run, same_array, same_dict, scratch

torch.manual_seed(0)
work = scratch("maps")
os.chdir(work)


def tiny_model():
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))


def state(module):
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def loads_strictly(what, model, path, expected):
    loaded = torch.load(path, weights_only=True)
    try:
        model.load_state_dict(loaded, strict=True)
    except RuntimeError as e:
        check(False, f"{what}: load_state_dict(strict=True) failed: {e}")
        return
    same_dict(what, {k: v.numpy() for k, v in expected.items()},
              {k: v.numpy() for k, v in loaded.items()})


# torch.compile and DataParallel prefixes, as torch writes them.
model = tiny_model()
bare = state(model)
wrapped = {
    "torch-compile/strip-orig-mod": torch.compile(model),
    "torch-compile/strip-orig-mod-module": torch.compile(torch.nn.DataParallel(model)),
    "dataparallel/strip-module": torch.nn.DataParallel(model),
}
for map_name, module in wrapped.items():
    keys = list(module.state_dict())
    src = os.path.join(work, map_name.replace("/", "_") + ".pt")
    torch.save(module.state_dict(), src)
    out = src.replace(".pt", "_bare.pt")
    run("convert", src, out, "--map", map_name)
    check(keys != list(bare), f"{map_name}: torch wrote the bare keys {keys}")
    loads_strictly(map_name, tiny_model(), out, bare)

src = os.path.join(work, "bare.pt")
torch.save(bare, src)
run("convert", src, "dp.pt", "--map", "dataparallel/add-module")
loads_strictly("dataparallel/add-module", torch.nn.DataParallel(tiny_model()), "dp.pt",
               state(torch.nn.DataParallel(model)))

# BERT round trips.
import tensorflow as tf  # noqa: E402  (after torch: the TF import is the slow part)

ckpt = os.path.join(data("keras-bert-google-run-pretraining-tf1_11-tiny-ckpt"), "bert_model.ckpt")
run("convert", ckpt, "hf.safetensors", "--map", "bert/tf1-to-hf-bertforpretraining")
run("convert", "hf.safetensors", "back.ckpt", "--to", "tf_bundle", "--map",
    "bert/hf-bertforpretraining-to-tf1")
original = tf.train.load_checkpoint(ckpt)
back = tf.train.load_checkpoint(os.path.join(work, "back.ckpt"))
model_names = [n for n in original.get_variable_to_shape_map()
               if not n.endswith(("/adam_m", "/adam_v")) and n != "global_step"]
check(len(model_names) == 46, f"TF1 BERT has {len(model_names)} model tensors, expected 46")
check(sorted(back.get_variable_to_shape_map()) == sorted(model_names),
      "TF1 -> HF -> TF1: the names differ from the original's model tensors")
for name in model_names:
    if back.has_tensor(name):
        same_array(f"TF1 -> HF -> TF1: {name}", original.get_tensor(name), back.get_tensor(name))

hf_file = data("knowbert-ppb-bertforpretraining-legacy-pt", "pytorch_model.bin")
run("convert", hf_file, "knowbert.ckpt", "--to", "tf_bundle", "--map",
    "bert/hf-bertforpretraining-to-tf1")
run("convert", "knowbert.ckpt", "knowbert.safetensors", "--map",
    "bert/tf1-to-hf-bertforpretraining")
hf_original = {k: v.numpy() for k, v in torch.load(hf_file, weights_only=True).items()
               if k != "cls.predictions.decoder.weight"}  # tied to the word embeddings
same_dict("HF -> TF1 -> HF", hf_original, load_file("knowbert.safetensors"))

# TF2 names without their attribute suffix.
tf2 = os.path.join(data("tfranking-bert-lite-tf2-checkpoint-save-counter"), "bert_lite_tf2.ckpt")
run("convert", tf2, "tf2.safetensors", "--map", "tf2/strip-attributes")
reader = tf.train.load_checkpoint(tf2)
suffix = "/.ATTRIBUTES/VARIABLE_VALUE"
expected = {n[:-len(suffix)]: reader.get_tensor(n)
            for n in reader.get_variable_to_shape_map() if n.endswith(suffix)}
check(len(expected) > 0, "the TF2 checkpoint has no attribute-named variables")
same_dict("tf2/strip-attributes", expected, load_file("tf2.safetensors"))

finish()
