# SPDX-License-Identifier: Apache-2.0
"""Across frameworks (issue 11, judge 8): what TensorFlow wrote, converted by rescope, computes
the same in PyTorch.

(a) TF1 graph mode writes a small MLP (one square kernel, so a missing transpose cannot hide
    behind a shape error); rescope converts it to safetensors and to a PyTorch .bin with a map
    that transposes kernels; the nn.Linear twin loads each strictly and gives TF's outputs.
(b) The shipped BERT map on the Google-format tiny BERT: transformers.BertForPreTraining loads
    the conversion with no missing or unexpected keys (the tied decoder aside) and gives the
    logits of a forward pass written here with plain TF ops over the original checkpoint.
(c) The suggest-map round trip: the converted BERT, `check --suggest-map` back against the
    original, rename with the proposed rules, `diff --values` against the original: every
    proposed rule is right, and whatever is not proposed is listed as unresolved.
"""
import json
import math
import os

import numpy as np
import tensorflow as tf
import torch

import judgelib as j

tf1 = tf.compat.v1

# ---- (a) a TF1 MLP -> safetensors / PyTorch with transposed kernels ----

work = j.scratch("mlp")
sizes = [("dense1", 5, 8), ("dense2", 8, 8), ("dense3", 8, 3)]
rng = np.random.default_rng(7)
x_in = rng.standard_normal((4, 5)).astype(np.float32)
graph = tf.Graph()
with graph.as_default():
    x = tf1.placeholder(tf.float32, [None, 5])
    h = x
    for i, (name, n_in, n_out) in enumerate(sizes):
        with tf1.variable_scope(name):
            w = tf1.get_variable("kernel", [n_in, n_out],
                                 initializer=tf1.random_normal_initializer(seed=i + 1))
            b = tf1.get_variable("bias", [n_out],
                                 initializer=tf1.random_normal_initializer(seed=i + 11))
        h = tf.matmul(h, w) + b
        if i + 1 < len(sizes):
            h = tf.nn.relu(h)
    saver = tf1.train.Saver()
    with tf1.Session(graph=graph) as sess:
        sess.run(tf1.global_variables_initializer())
        tf_out = sess.run(h, {x: x_in})
        prefix = saver.save(sess, os.path.join(work, "mlp.ckpt"), write_meta_graph=False)

mlp_map = os.path.join(work, "to_torch.json")
with open(mlp_map, "w") as f:
    json.dump({"rules": [
        {"regex": "dense(\\d)/kernel", "to": "fc$1.weight", "transpose": True},
        {"regex": "dense(\\d)/bias", "to": "fc$1.bias"},
    ]}, f)


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(5, 8)
        self.fc2 = torch.nn.Linear(8, 8)
        self.fc3 = torch.nn.Linear(8, 3)

    def forward(self, v):
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(v)))))


for out_name in ("mlp.safetensors", "mlp.bin"):
    out = os.path.join(work, out_name)
    j.run("convert", prefix, out, "--map", mlp_map)
    if out_name.endswith(".safetensors"):
        from safetensors.torch import load_file
        state = load_file(out)
    else:
        state = torch.load(out, weights_only=True)
    model = Mlp()
    model.load_state_dict(state, strict=True)
    with torch.no_grad():
        torch_out = model(torch.from_numpy(x_in)).numpy()
    j.check(np.allclose(torch_out, tf_out, atol=1e-5, rtol=0),
            f"{out_name}: PyTorch outputs differ from TF's by "
            f"{np.abs(torch_out - tf_out).max()}")

# ---- (b) Google tiny BERT -> transformers.BertForPreTraining ----

bert_dir = j.data("keras-bert-google-run-pretraining-tf1_11-tiny-ckpt")
bert_ckpt = os.path.join(bert_dir, "bert_model.ckpt")
bert_map = os.path.join(j.SOURCE_DIR, "maps", "bert", "tf1-to-hf-bertforpretraining.json")
with open(os.path.join(bert_dir, "bert_config.json")) as f:
    cfg = json.load(f)

work = j.scratch("bert")
pt_bin = os.path.join(work, "pytorch_model.bin")
j.run("convert", bert_ckpt, pt_bin, "--map", bert_map)

import transformers  # noqa: E402  (slow import; only after the cheap part ran)

config = transformers.BertConfig(
    vocab_size=cfg["vocab_size"], hidden_size=cfg["hidden_size"],
    num_hidden_layers=cfg["num_hidden_layers"], num_attention_heads=cfg["num_attention_heads"],
    intermediate_size=cfg["intermediate_size"], hidden_act=cfg["hidden_act"],
    max_position_embeddings=cfg["max_position_embeddings"],
    type_vocab_size=cfg["type_vocab_size"], hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0)
bert = transformers.BertForPreTraining(config).eval()
state = torch.load(pt_bin, weights_only=True)
result = bert.load_state_dict(state, strict=False)
tied = {"cls.predictions.decoder.weight", "cls.predictions.decoder.bias"}
j.check(not result.unexpected_keys, f"BERT: unexpected keys {result.unexpected_keys}")
j.check(set(result.missing_keys) <= tied, f"BERT: missing keys {result.missing_keys}")
bert.tie_weights()
j.check(bert.cls.predictions.decoder.weight.data_ptr() ==
        bert.bert.embeddings.word_embeddings.weight.data_ptr(),
        "BERT: decoder weight is not tied to the word embeddings")

# TF forward pass over the original checkpoint's variables (Google's modeling.py, restated
# with plain ops). GELU is the exact erf form, as transformers' "gelu" is; both sides use
# the same one, so the comparison is about the weights, not about activation variants.
reader = tf.train.load_checkpoint(bert_ckpt)


def var(name):
    return tf.constant(reader.get_tensor(name))


def layer_norm(v, scope):
    mean, variance = tf.nn.moments(v, axes=[-1], keepdims=True)
    return (v - mean) * tf.math.rsqrt(variance + 1e-12) * var(scope + "/gamma") + var(scope + "/beta")


def dense(v, scope):
    return tf.matmul(v, var(scope + "/kernel")) + var(scope + "/bias")


def gelu(v):
    return 0.5 * v * (1.0 + tf.math.erf(v / math.sqrt(2.0)))


ids = np.array([[1, 5, 7, 2, 9, 11, 3, 4]], dtype=np.int64)
types = np.array([[0, 0, 0, 0, 1, 1, 1, 1]], dtype=np.int64)
seq = ids.shape[1]
heads = cfg["num_attention_heads"]
head = cfg["hidden_size"] // heads
hid = tf.gather(var("bert/embeddings/word_embeddings"), ids)
hid += var("bert/embeddings/position_embeddings")[:seq][None]
hid += tf.gather(var("bert/embeddings/token_type_embeddings"), types)
hid = layer_norm(hid, "bert/embeddings/LayerNorm")


def split_heads(v):
    return tf.transpose(tf.reshape(v, [1, seq, heads, head]), [0, 2, 1, 3])


for n in range(cfg["num_hidden_layers"]):
    p = f"bert/encoder/layer_{n}"
    q = split_heads(dense(hid, p + "/attention/self/query"))
    k = split_heads(dense(hid, p + "/attention/self/key"))
    v = split_heads(dense(hid, p + "/attention/self/value"))
    probs = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / math.sqrt(head), axis=-1)
    ctx = tf.reshape(tf.transpose(tf.matmul(probs, v), [0, 2, 1, 3]), [1, seq, -1])
    attn = layer_norm(dense(ctx, p + "/attention/output/dense") + hid,
                      p + "/attention/output/LayerNorm")
    inter = gelu(dense(attn, p + "/intermediate/dense"))
    hid = layer_norm(dense(inter, p + "/output/dense") + attn, p + "/output/LayerNorm")
pooled = tf.tanh(dense(hid[:, 0], "bert/pooler/dense"))
t = layer_norm(gelu(dense(hid, "cls/predictions/transform/dense")),
               "cls/predictions/transform/LayerNorm")
tf_mlm = (tf.matmul(t, var("bert/embeddings/word_embeddings"), transpose_b=True) +
          var("cls/predictions/output_bias")).numpy()
tf_nsp = (tf.matmul(pooled, var("cls/seq_relationship/output_weights"), transpose_b=True) +
          var("cls/seq_relationship/output_bias")).numpy()

with torch.no_grad():
    hf = bert(input_ids=torch.from_numpy(ids), token_type_ids=torch.from_numpy(types),
              attention_mask=torch.ones_like(torch.from_numpy(ids)))
for what, ours, theirs in (("prediction logits", hf.prediction_logits.numpy(), tf_mlm),
                           ("seq_relationship logits", hf.seq_relationship_logits.numpy(),
                            tf_nsp)):
    j.check(ours.shape == theirs.shape, f"BERT {what}: shape {ours.shape} vs {theirs.shape}")
    j.check(np.allclose(ours, theirs, atol=1e-5, rtol=0),
            f"BERT {what}: differ by {np.abs(ours - theirs).max()}")

# ---- (c) suggest-map back to Google names: right rules, or listed as unresolved ----

rev = os.path.join(work, "rev.json")
j.run("check", pt_bin, "--expect", bert_ckpt, "--model-only", "--suggest-map", rev, expect=1)
with open(rev) as f:
    proposal = json.load(f)
unresolved = {u["to"] for u in proposal["unresolved"]}
j.check(all("why" in r for r in proposal["rules"]), "suggest-map: a rule without \"why\"")
if unresolved:
    # A draft with open questions is refused as it is...
    _, err = j.run("rename", pt_bin, "--map", rev, "-o", os.path.join(work, "refused.bin"),
                   expect=2)
    j.check("unresolved" in err, f"rename --map with unresolved entries: {err.strip()}")
rules_only = os.path.join(work, "rules_only.json")
with open(rules_only, "w") as f:
    json.dump({"rules": proposal["rules"]}, f)
back = os.path.join(work, "back.bin")
j.run("rename", pt_bin, "--map", rules_only, "-o", back)
out, _ = j.run("diff", "--values", "--json", back, bert_ckpt, expect=None)
report = json.loads(out)
original = dict(reader.get_variable_to_shape_map())
model_names = {n for n in original if not n.endswith(("/adam_m", "/adam_v")) and n != "global_step"}
by_name = {e["name"]: e for e in report["entries"]}
for name in sorted(model_names):
    e = by_name.get(name)
    if name in unresolved:
        j.check(e is not None and e["category"] == "only_in_b",
                f"{name}: unresolved, yet {e and e['category']}")
        continue
    j.check(e is not None and e["category"] == "identical",
            f"round trip: {name} is {e and e['category']} after the proposed rules")
print(f"suggest-map: {len(proposal['rules'])} rules, {len(unresolved)} unresolved")
j.finish()
