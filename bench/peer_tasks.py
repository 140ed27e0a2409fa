# SPDX-License-Identifier: Apache-2.0
"""The frameworks' side of bench/peers.sh: the input files, and the scripts users write today.

    peer_tasks.py make WORK [LAYERS] [WIDTH]   writes the inputs (below) into WORK
    peer_tasks.py tf-ls PREFIX                 tf.train.list_variables, one line per variable
    peer_tasks.py tf-rename IN OUT FROM TO     load every variable, save under new names (Saver)
    peer_tasks.py tf-to-st IN OUT              load every variable, safetensors.numpy.save_file
    peer_tasks.py pt-ls FILE                   torch.load(weights_only=True), names and shapes
    peer_tasks.py pt-show FILE NAME            torch.load(weights_only=True), print one tensor
    peer_tasks.py keras-rename IN OUT OLD NEW  keras.saving.KerasFileEditor rename + save
    peer_tasks.py st-ls FILE                   safe_open(...).keys()

`make` writes, from one set of seeded float32 arrays (LAYERS layers of a [WIDTH, WIDTH]
kernel and a [WIDTH] bias, named model/layer_NNN/{kernel,bias}):
    WORK/tf/ckpt           a TF1 name-based bundle, saved by tf.compat.v1.train.Saver
    WORK/model.pt          torch.save of the same state dict (zip format)
    WORK/model.safetensors safetensors.numpy.save_file of the same
    WORK/keras.weights.h5  a Keras 3 Sequential of LAYERS/5 Dense layers dense_N of width
                           2*WIDTH (kernel and bias each), saved with save_weights
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def arrays(layers, width):
    import numpy as np
    rng = np.random.default_rng(1234)
    out = {}
    for i in range(layers):
        out[f"model/layer_{i:03d}/kernel"] = rng.standard_normal((width, width), np.float32)
        out[f"model/layer_{i:03d}/bias"] = rng.standard_normal(width, np.float32)
    return out


def make(work, layers=500, width=320):
    import tensorflow as tf
    tensors = arrays(int(layers), int(width))
    graph = tf.Graph()
    with graph.as_default():
        # Placeholders feed the initial values, so the graph does not embed 200 MB of constants.
        feeds = {}
        variables = []
        for name, value in tensors.items():
            ph = tf.compat.v1.placeholder(tf.float32, value.shape)
            variables.append(tf.compat.v1.Variable(ph, name=name))
            feeds[ph] = value
        saver = tf.compat.v1.train.Saver(variables)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer(), feed_dict=feeds)
            saver.save(sess, os.path.join(work, "tf", "ckpt"), write_meta_graph=False,
                       write_state=False)

    import torch
    torch.save({k: torch.from_numpy(v) for k, v in tensors.items()}, os.path.join(work, "model.pt"))

    from safetensors.numpy import save_file
    save_file(tensors, os.path.join(work, "model.safetensors"))

    import keras
    keras.utils.set_random_seed(1234)
    keras_width = 2 * int(width)
    model = keras.Sequential([keras.Input((keras_width,))] + [
        keras.layers.Dense(keras_width, name=f"dense_{i}") for i in range(int(layers) // 5)])
    model.save_weights(os.path.join(work, "keras.weights.h5"))


def tf_ls(prefix):
    import tensorflow as tf
    for name, shape in tf.train.list_variables(prefix):
        print(name, shape)


def tf_rename(src, dst, old, new):
    """The usual TF1 rename script: every variable loaded, re-created renamed, saved."""
    import tensorflow as tf
    graph = tf.Graph()
    with graph.as_default():
        feeds = {}
        variables = []
        for name, _ in tf.train.list_variables(src):
            value = tf.train.load_variable(src, name)
            new_name = new + name[len(old):] if name.startswith(old) else name
            ph = tf.compat.v1.placeholder(tf.as_dtype(value.dtype), value.shape)
            variables.append(tf.compat.v1.Variable(ph, name=new_name))
            feeds[ph] = value
        saver = tf.compat.v1.train.Saver(variables)
        with tf.compat.v1.Session() as sess:
            sess.run(tf.compat.v1.global_variables_initializer(), feed_dict=feeds)
            saver.save(sess, dst, write_meta_graph=False, write_state=False)


def tf_to_st(src, dst):
    import tensorflow as tf
    from safetensors.numpy import save_file
    reader = tf.train.load_checkpoint(src)
    save_file({name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()},
              dst)


def pt_ls(path):
    import torch
    for name, tensor in torch.load(path, weights_only=True).items():
        print(name, str(tensor.dtype), list(tensor.shape))


def pt_show(path, name):
    import torch
    print(torch.load(path, weights_only=True)[name])


def keras_rename(src, dst, old, new):
    import keras
    editor = keras.saving.KerasFileEditor(src)
    editor.rename_object(old, new)
    editor.save(dst)


def st_ls(path):
    from safetensors import safe_open
    with safe_open(path, framework="np") as f:
        for name in f.keys():
            print(name)


if __name__ == "__main__":
    commands = {"make": make, "tf-ls": tf_ls, "tf-rename": tf_rename, "tf-to-st": tf_to_st,
                "pt-ls": pt_ls, "pt-show": pt_show, "keras-rename": keras_rename,
                "st-ls": st_ls}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
