# SPDX-License-Identifier: Apache-2.0
"""A SavedModel renamed by rescope loads in TensorFlow with every variable at its value.

1. tf.saved_model.save writes a tf.Module (root.encoder.dense.{kernel,bias}, root.head, an
   asset, a tf.function signature). The refactored code calls `encoder` `enc`; rescope renames
   SM/ to NEW/ with the rule `encoder/=enc/`. tf.saved_model.load(NEW) has `enc` (no
   `encoder`), every variable equals the saved value exactly, and the signature, the
   restored __call__ and a TF1-style session load (restore through the graph's saver) give
   the original outputs on the same input. The asset is copied, fingerprint.pb is not.
2. --in-place over a copy of SM: the same checks on the copy.
3. Refused (exit 2, nothing written): a Keras 2 SavedModel (keras_metadata.pb names layers by
   path), a drop rule (the loaded object would have no value), an occupied output directory.
4. Keras 3 `model.export(dir)`: its variables are renamed (`variables/0` ... edges of the
   export archive's lists are renamed through a rule on one list), and the serving endpoint
   gives the original outputs.
"""
import os
import shutil

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import judgelib as j
import numpy as np
import tensorflow as tf

X = np.float32([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


class Dense(tf.Module):
    def __init__(self, rows, cols, seed):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.kernel = tf.Variable(rng.standard_normal((rows, cols)).astype(np.float32))
        self.bias = tf.Variable(rng.standard_normal(cols).astype(np.float32))

    def __call__(self, x):
        return tf.matmul(x, self.kernel) + self.bias


class Encoder(tf.Module):
    def __init__(self):
        super().__init__()
        self.dense = Dense(3, 4, seed=1)


class Model(tf.Module):
    def __init__(self, vocab_path):
        super().__init__()
        self.encoder = Encoder()
        self.head = Dense(4, 2, seed=2)
        self.vocab = tf.saved_model.Asset(vocab_path)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
    def __call__(self, x):
        return {"y": self.head(tf.nn.relu(self.encoder.dense(x)))}


work = j.scratch("saved_model")
vocab = os.path.join(work, "vocab.txt")
with open(vocab, "w") as f:
    f.write("a\nb\n")
model = Model(vocab)
sm = os.path.join(work, "sm")
tf.saved_model.save(model, sm, signatures=model.__call__)
expected_y = model(X)["y"].numpy()
values = {"enc.dense.kernel": model.encoder.dense.kernel.numpy(),
          "enc.dense.bias": model.encoder.dense.bias.numpy(),
          "head.kernel": model.head.kernel.numpy(), "head.bias": model.head.bias.numpy()}


def check_loaded(what, path):
    loaded = tf.saved_model.load(path)
    j.check(hasattr(loaded, "enc") and not hasattr(loaded, "encoder"),
            f"{what}: loaded object has no `enc` or still has `encoder`")
    if not hasattr(loaded, "enc"):
        return
    actual = {"enc.dense.kernel": loaded.enc.dense.kernel.numpy(),
              "enc.dense.bias": loaded.enc.dense.bias.numpy(),
              "head.kernel": loaded.head.kernel.numpy(), "head.bias": loaded.head.bias.numpy()}
    j.same_dict(f"{what}: variables", values, actual)
    j.same_array(f"{what}: __call__", expected_y, loaded(tf.constant(X))["y"].numpy())
    serving = loaded.signatures["serving_default"]
    j.same_array(f"{what}: signature", expected_y, serving(x=tf.constant(X))["y"].numpy())
    j.check(os.path.exists(os.path.join(path, "assets", "vocab.txt")), f"{what}: asset missing")
    j.check(not os.path.exists(os.path.join(path, "fingerprint.pb")),
            f"{what}: a stale fingerprint.pb was written")
    # TF1 loaders (and TF Serving) restore through the graph's saver, whose key constants
    # rescope renamed: the signature's output tensor must come out the same.
    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        meta = tf.compat.v1.saved_model.load(sess, ["serve"], path)
        sig = meta.signature_def["serving_default"]
        y = sess.run(sig.outputs["y"].name, {sig.inputs["x"].name: X})
        j.same_array(f"{what}: TF1 session load", expected_y, y)


# --- 1. SM/ -> NEW/ ---
new = os.path.join(work, "new")
out, err = j.run("rename", sm, "--rule", "encoder/=enc/", "-o", new + "/")
j.check("saved_model.pb rewritten" in out, f"rename does not report the rewrite:\n{out}")
check_loaded("SM -> NEW", new)
loaded_old = tf.saved_model.load(sm)  # the input still loads unchanged
j.same_array("input SM untouched", values["enc.dense.kernel"],
             loaded_old.encoder.dense.kernel.numpy())

# --- 2. --in-place ---
inplace = os.path.join(work, "inplace")
shutil.copytree(sm, inplace)
j.run("rename", os.path.join(inplace, "variables", "variables"), "--rule", "encoder/=enc/",
      "--in-place", "-o", os.path.join(inplace, "variables", "variables"))
check_loaded("--in-place", inplace)
j.check(not [n for n in os.listdir(work) if ".rescope-" in n], "temporaries left behind")

# --- 3. refusals ---
_, err = j.run("rename", sm, "--drop", "head/", "-o", os.path.join(work, "dropped") + "/",
               expect=2)
j.check("dropped" in err and not os.path.exists(os.path.join(work, "dropped")),
        f"drop in a SavedModel not refused cleanly:\n{err}")
_, err = j.run("rename", sm, "--rule", "encoder/=enc/", "-o", new + "/", expect=2)
j.check("not an empty directory" in err, f"occupied output not refused:\n{err}")

import tf_keras  # noqa: E402

k2 = tf_keras.Sequential([tf_keras.Input((3,)), tf_keras.layers.Dense(2, name="d")])
k2_dir = os.path.join(work, "keras2_sm")
k2.save(k2_dir, save_format="tf")
k2_keys = [k for k, _ in tf.train.list_variables(os.path.join(k2_dir, "variables", "variables"))]
layer_key = next(k for k in k2_keys if k.endswith("/kernel/.ATTRIBUTES/VARIABLE_VALUE"))
layer_scope = layer_key.split("/")[0] + "/"
_, err = j.run("rename", k2_dir, "--rule", f"{layer_scope}=renamed/", "-o",
               os.path.join(work, "k2_new") + "/", expect=2)
j.check("keras_metadata.pb" in err and not os.path.exists(os.path.join(work, "k2_new")),
        f"Keras 2 SavedModel not refused cleanly:\n{err}")

# --- 4. Keras 3 export ---
import keras  # noqa: E402

k3 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d")])
k3_expected = k3.predict(X, verbose=0)
k3_dir = os.path.join(work, "keras3_sm")
k3.export(k3_dir, format="tf_saved_model", verbose=False)
k3_keys = [k for k, _ in tf.train.list_variables(os.path.join(k3_dir, "variables", "variables"))]
k3_scope = next(k.split("/")[0] for k in k3_keys if "/.ATTRIBUTES/" in k)
k3_new = os.path.join(work, "keras3_new")
j.run("rename", k3_dir, "--rule", f"{k3_scope}/=weights/", "-o", k3_new + "/")
k3_loaded = tf.saved_model.load(k3_new)
j.check(hasattr(k3_loaded, "weights"), f"Keras 3 export: no `weights` edge after renaming "
        f"`{k3_scope}`")
j.same_array("Keras 3 export: serve", k3_expected, k3_loaded.serve(tf.constant(X)).numpy())

j.finish()
