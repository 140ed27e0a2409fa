# SPDX-License-Identifier: Apache-2.0
"""`rescope show` of TF1 partitioned variables, judged by TensorFlow.

A tf.compat.v1 graph holds variables under fixed_size_partitioner(3) along axis 0 (uneven
parts: 7 rows as 3 + 2 + 2) and along axis 1, in float32, float64 and int32; Saver writes
them as a V2 bundle and as a V1 checkpoint, both of which store each part as a slice of
the whole variable. `rescope show --json` must print every variable whole, exactly as
tf.train.load_checkpoint(prefix).get_tensor(name) returns it (TF's reader refuses sliced
V1 tensors; there the values the variables held at save time are the reference, and they
are checked against get_tensor for V2 too), and `show --stats` must count every element.
"""
import json
import os

import numpy as np
import tensorflow as tf

import judgelib as j

tf1 = tf.compat.v1

# name -> (shape, dtype, partition axis)
VARIABLES = {
    "emb/table": ([7, 5], tf.float32, 0),
    "dense/kernel": ([4, 6], tf.float64, 1),
    "counts": ([9, 2], tf.int32, 0),
}


def save_graph(prefix, write_version):
    """Builds the variables, saves them, returns {name: value at save time}."""
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    graph = tf1.Graph()
    with graph.as_default():
        parts = {}
        for name, (shape, dtype, axis) in VARIABLES.items():
            scope, leaf = name.rsplit("/", 1) if "/" in name else ("", name)
            init = (tf1.random_uniform_initializer(-100, 100, seed=7)
                    if dtype.is_integer else tf1.random_normal_initializer(seed=5))
            with tf1.variable_scope(scope):
                v = tf1.get_variable(leaf, shape, dtype=dtype, initializer=init,
                                     partitioner=tf1.fixed_size_partitioner(3, axis=axis))
            j.check(len(list(v)) == 3, f"{name}: {len(list(v))} parts, expected 3")
            parts[name] = (list(v), axis)
        saver = tf1.train.Saver(write_version=write_version)
        with tf1.Session(graph=graph) as sess:
            sess.run(tf1.global_variables_initializer())
            values = {}
            for name, (pieces, axis) in parts.items():
                values[name] = np.concatenate(sess.run(pieces), axis=axis)
            saver.save(sess, prefix, write_meta_graph=False)
    return values


def tf_value(prefix, name):
    """get_tensor, or None when TF's reader refuses a sliced (V1) tensor."""
    try:
        return tf.train.load_checkpoint(prefix).get_tensor(name)
    except tf.errors.UnimplementedError:
        return None


def shown_array(path, name, want):
    out, _ = j.run("show", path, name, "--json")
    shown = json.loads(out)
    j.check(shown["name"] == name, f"show {name}: printed name {shown['name']}")
    j.check(tuple(shown["shape"]) == want.shape,
            f"show {name}: shape {shown['shape']}, expected {list(want.shape)}")
    # Floats print as the shortest decimal of their own dtype: float64 parsing then
    # narrowing gives back the stored value exactly.
    return np.array(shown["values"], dtype=np.float64 if want.dtype.kind == "f" else want.dtype) \
        .astype(want.dtype).reshape(want.shape)


def check_checkpoint(label, path, prefix, saved):
    for name, want in saved.items():
        framework = tf_value(prefix, name)
        if framework is not None:
            j.same_array(f"{label}: get_tensor {name} vs value at save time", want, framework)
            want = framework
        j.same_array(f"{label}: show {name}", want, shown_array(path, name, want))
        out, _ = j.run("show", path, name, "--json", "--stats")
        stats = json.loads(out)["stats"]
        j.check(stats["count"] == want.size, f"{label}: stats count {stats['count']} of {name}")
        j.check(stats["min"] == float(want.min()) and stats["max"] == float(want.max()),
                f"{label}: stats min/max {stats['min']}/{stats['max']} of {name}, expected "
                f"{want.min()}/{want.max()}")
    # The text form prints the whole shape too.
    out, _ = j.run("show", path, "emb/table")
    j.check(out.splitlines()[0].split() == ["emb/table", "float32", "[7,", "5]"],
            f"{label}: show emb/table header {out.splitlines()[0]!r}")


root = j.scratch("partitioned")
v2_prefix = f"{root}/v2/model.ckpt"
saved = save_graph(v2_prefix, tf1.train.SaverDef.V2)
check_checkpoint("V2 bundle", v2_prefix, v2_prefix, saved)

v1_prefix = f"{root}/v1/model.ckpt"
saved_v1 = save_graph(v1_prefix, tf1.train.SaverDef.V1)
check_checkpoint("V1 checkpoint", v1_prefix, v1_prefix, saved_v1)

j.finish()
