# SPDX-License-Identifier: Apache-2.0
"""Hugging Face directory layout and PyTorch training checkpoints, judged by torch/transformers.

- A training checkpoint torch.save'd as {'epoch', 'model_state_dict', 'optimizer_state_dict',
  'loss'} is listed without --lenient (its tensors; epoch and loss named in one note), and
  `--select model_state_dict` makes the model's state_dict the checkpoint: the converted
  .safetensors and .pt load into the model with strict=True, values equal.
- `convert DIR/pytorch_model.bin out/ --to safetensors` writes out/model.safetensors next to a
  copy of DIR/config.json, which transformers' from_pretrained loads; the same back to
  PyTorch (out2/pytorch_model.bin), and sharded above --max-shard-size (index + shards).
"""
import filecmp
import os

import torch
from safetensors.torch import load_file

from judgelib import check, finish, run, same_dict, scratch

torch.manual_seed(0)
work = scratch("hf")
os.chdir(work)


def numpy_dict(state):
    return {k: v.detach().numpy() for k, v in state.items()}


# A training checkpoint after one Adam step (the optimizer holds state tensors and
# param_groups of plain numbers).
model = torch.nn.Sequential(torch.nn.Linear(5, 10), torch.nn.ReLU(), torch.nn.Linear(10, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss = model(torch.randn(4, 5)).pow(2).mean()
loss.backward()
optimizer.step()
torch.save({"epoch": 7, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict(), "loss": loss.item()}, "train.pt")

out, err = run("ls", "train.pt")
for key in model.state_dict():
    check(f"model_state_dict.{key} " in out, f"ls train.pt lacks model_state_dict.{key}")
check("epoch: int" in err, f"ls train.pt: no note naming epoch:\n{err}")
check(err.count("\n") == 1, f"ls train.pt: the note is not one line:\n{err}")

out, _ = run("ls", "train.pt", "--select", "model_state_dict")
listed = {line.split()[0] for line in out.splitlines()[1:-1]}
check(listed == set(model.state_dict()), f"ls --select: {sorted(listed)}")

run("convert", "train.pt", "model.safetensors", "--select", "model_state_dict")
run("convert", "train.pt", "model.pt", "--select", "model_state_dict")
for path, loaded in (("model.safetensors", load_file("model.safetensors")),
                     ("model.pt", torch.load("model.pt", weights_only=True))):
    fresh = torch.nn.Sequential(torch.nn.Linear(5, 10), torch.nn.ReLU(), torch.nn.Linear(10, 3))
    try:
        fresh.load_state_dict(loaded, strict=True)
    except RuntimeError as e:
        check(False, f"{path}: load_state_dict(strict=True): {e}")
    same_dict(path, numpy_dict(model.state_dict()), numpy_dict(fresh.state_dict()))

run("ls", "train.pt", "--select", "optimiser_state_dict", expect=2)

# Hugging Face directories.
from transformers import BertConfig, BertModel  # noqa: E402  (slow import, after the rest)

config = BertConfig(vocab_size=40, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=16, max_position_embeddings=32)
bert = BertModel(config).eval()
# transformers 5 saves safetensors only: the legacy pytorch_model.bin is torch.save'd here.
os.makedirs("src")
config.save_pretrained("src")
torch.save(bert.state_dict(), "src/pytorch_model.bin")
expected = numpy_dict(bert.state_dict())


def loads_back(what, directory, **kwargs):
    try:
        again = BertModel.from_pretrained(directory, **kwargs).eval()
    except Exception as e:  # noqa: BLE001  (any failure to load is the finding)
        check(False, f"{what}: from_pretrained failed: {e}")
        return
    same_dict(what, expected, numpy_dict(again.state_dict()))


run("convert", "src/pytorch_model.bin", "hf/", "--to", "safetensors")
check(sorted(os.listdir("hf")) == ["config.json", "model.safetensors"],
      f"hf/ holds {sorted(os.listdir('hf'))}")
check(filecmp.cmp("src/config.json", "hf/config.json", shallow=False), "hf/config.json differs")
loads_back("pytorch_model.bin -> hf/", "hf")

run("convert", "hf/model.safetensors", "pt", "--to", "pytorch")
check(sorted(os.listdir("pt")) == ["config.json", "pytorch_model.bin"],
      f"pt/ holds {sorted(os.listdir('pt'))}")
loads_back("hf/ -> pt/", "pt", use_safetensors=False)

run("convert", "src/pytorch_model.bin", "sharded/", "--to", "safetensors",
    "--max-shard-size", "4000")
names = sorted(os.listdir("sharded"))
check("model.safetensors.index.json" in names and "config.json" in names and
      sum(n.endswith(".safetensors") for n in names) > 1, f"sharded/ holds {names}")
loads_back("sharded safetensors", "sharded")

# A different config.json already there is refused before anything is written.
os.makedirs("clash")
with open("clash/config.json", "w") as f:
    f.write("{}\n")
run("convert", "src/pytorch_model.bin", "clash/", "--to", "safetensors", expect=2)
check(os.listdir("clash") == ["config.json"], f"clash/ holds {os.listdir('clash')}")

finish()
