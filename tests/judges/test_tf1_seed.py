# SPDX-License-Identifier: Apache-2.0
"""The seed scenario, judged by TensorFlow 1 graph mode (tf.compat.v1).

A model with model_1/layer_a/{weights,biases}, a decoy scope model_1/layer_ab, Adam slots and
global_step is trained a few steps and saved with tf.compat.v1.train.Saver. The refactored
model builds the same layers under model_3/layer_a. Restoring the old checkpoint into it fails
(NotFoundError); rescope check --suggest-map proposes the map, rescope rename applies it, and
Saver.restore of the result gives every value, slot and step exactly, and training resumes.
"""
import json
import os

import numpy as np
import tensorflow as tf

import judgelib as j

tf1 = tf.compat.v1


def build(layer_a_scope):
    """The model; layer_a lives under `layer_a_scope`, the decoy layer_ab under model_1."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0)
        init = tf1.random_normal_initializer(seed=7)
        with tf1.variable_scope(layer_a_scope):
            with tf1.variable_scope("layer_a"):
                weights = tf1.get_variable("weights", [4, 3], initializer=init)
                biases = tf1.get_variable("biases", [3], initializer=tf1.zeros_initializer())
        with tf1.variable_scope("model_1"):
            with tf1.variable_scope("layer_ab"):
                decoy = tf1.get_variable("weights", [3, 2], initializer=init)
        hidden = tf.nn.relu(tf.matmul(x, weights) + biases)
        loss = tf.reduce_mean(tf.square(tf.matmul(hidden, decoy) - 1.0))
        step = tf1.train.get_or_create_global_step()
        train = tf1.train.AdamOptimizer(0.05).minimize(loss, global_step=step)
        saver = tf1.train.Saver()
        init_all = tf1.global_variables_initializer()
    return graph, train, saver, init_all


def values(path):
    reader = tf.train.load_checkpoint(path)
    return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(path)}


work = j.scratch("seed")
old = os.path.join(work, "old", "model.ckpt")
graph, train, saver, init_all = build("model_1")
with tf1.Session(graph=graph) as sess:
    sess.run(init_all)
    for _ in range(3):
        sess.run(train)
    saver.save(sess, old)
old_values = values(old)
j.check("model_1/layer_a/weights/Adam_1" in old_values and "beta1_power" in old_values,
        f"TF wrote Adam slots as expected: {sorted(old_values)}")

# The manifest of the refactored model: a fresh save of it, listed by rescope.
fresh = os.path.join(work, "fresh", "model.ckpt")
graph3, train3, saver3, init3 = build("model_3")
with tf1.Session(graph=graph3) as sess:
    sess.run(init3)
    saver3.save(sess, fresh)
    try:
        saver3.restore(sess, old)
        j.check(False, "restoring the old checkpoint into the refactored model should fail")
    except tf.errors.NotFoundError:
        pass
manifest = os.path.join(work, "new.json")
out, _ = j.run("ls", "--json", fresh)
with open(manifest, "w") as f:
    f.write(out)

map_path = os.path.join(work, "m.json")
j.run("check", old, "--expect", manifest, "--suggest-map", map_path, expect=1)
with open(map_path) as f:
    suggested = json.load(f)
print("suggested map:", json.dumps(suggested))
j.check(not suggested.get("unresolved"), f"suggest-map left targets unresolved: {suggested}")

new = os.path.join(work, "new", "model.ckpt")
j.run("rename", old, "--map", map_path, "-o", new)
j.run("check", new, "--expect", manifest)


def renamed(name):
    """The refactoring, done independently: the scope model_1/layer_a becomes model_3/layer_a."""
    if name == "model_1/layer_a" or name.startswith("model_1/layer_a/"):
        return "model_3" + name[len("model_1"):]
    return name


expected = {renamed(name): value for name, value in old_values.items()}
with tf1.Session(graph=graph3) as sess:
    saver3.restore(sess, new)
    resaved = os.path.join(work, "resaved", "model.ckpt")
    saver3.save(sess, resaved)
    restored = values(resaved)
    j.same_dict("restored from the renamed checkpoint", expected, restored)
    j.check(set(values(new)) == set(restored),
            f"renamed checkpoint holds {sorted(set(values(new)) ^ set(restored))} "
            "that the model does not")
    step_before = sess.run(tf1.train.get_global_step(graph3))
    sess.run(train3)
    j.check(sess.run(tf1.train.get_global_step(graph3)) == step_before + 1,
            "one more training step runs after the restore")
    j.check(step_before == 3, f"global_step restored as {step_before}, expected 3")

j.finish()
