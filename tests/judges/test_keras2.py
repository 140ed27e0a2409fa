# SPDX-License-Identifier: Apache-2.0
"""Keras 2 (tf_keras) HDF5: Keras writes, rescope renames one layer, Keras loads.

A functional model with layers `dense_1` and `head` is trained one step and saved as a full
model (.h5 with optimizer weights, for the TF 2.11+ optimizer and the legacy one) and with
save_weights. rescope renames `dense_1` to `encoder`. The refactored model (the layer is
called `encoder`) loads the result with load_weights by topology and by_name=True, and
tf_keras.models.load_model loads the full model: weights, and optimizer weights where saved,
equal the saved ones exactly. The optimizer weights' names follow the layer; with
--drop-optimizer no empty optimizer_weights group is left.
"""
import os

import h5py
import judgelib as j
import numpy as np
import tf_keras

X = np.linspace(-1, 1, 24, dtype=np.float32).reshape(8, 3)
Y = np.linspace(0, 2, 16, dtype=np.float32).reshape(8, 2)


def build(first_name, optimizer=None):
    tf_keras.utils.set_random_seed(7)
    inp = tf_keras.Input((3,))
    h = tf_keras.layers.Dense(4, name=first_name)(inp)
    out = tf_keras.layers.Dense(2, name="head")(h)
    model = tf_keras.Model(inp, out)
    if optimizer is not None:
        model.compile(optimizer, "mse")
    return model


def weights(model, first_name):
    return {f"{w}": v for w, v in zip(
        ["first/kernel", "first/bias"], model.get_layer(first_name).get_weights())} | {
        f"head/{i}": v for i, v in enumerate(model.get_layer("head").get_weights())}


def optimizer_values(model):
    variables = model.optimizer.variables  # a property, a method on legacy optimizers
    variables = variables() if callable(variables) else variables
    return {f"{i}": v.numpy() for i, v in enumerate(variables)}


def optimizer_names(path):
    with h5py.File(path, "r") as f:
        if "optimizer_weights" not in f:
            return None
        return [n.decode() if isinstance(n, bytes) else n
                for n in f["optimizer_weights"].attrs["weight_names"]]


work = j.scratch("keras2")
rule = "dense_1/=encoder/"
for kind, make_opt in (("adam", lambda: tf_keras.optimizers.Adam(0.01)),
                       ("legacy_adam", lambda: tf_keras.optimizers.legacy.Adam(0.01))):
    old = build("dense_1", make_opt())
    old.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    expected = weights(old, "dense_1")
    expected_opt = optimizer_values(old)
    full = os.path.join(work, f"{kind}_full.h5")
    old.save(full)
    renamed = os.path.join(work, f"{kind}_full_renamed.h5")
    j.run("rename", full, "--rule", rule, "-o", renamed)

    names = optimizer_names(renamed)
    j.check(names is not None and not any("dense_1" in n for n in names),
            f"{kind}: optimizer weight names still name dense_1: {names}")
    j.check(names is not None and any("encoder" in n for n in names),
            f"{kind}: no optimizer weight names the renamed layer: {names}")

    loaded = tf_keras.models.load_model(renamed)
    j.check([l.name for l in loaded.layers][1] == "encoder", f"{kind}: load_model layer names "
            f"{[l.name for l in loaded.layers]}")
    j.same_dict(f"{kind}: load_model weights", expected, weights(loaded, "encoder"))
    j.same_dict(f"{kind}: load_model optimizer weights", expected_opt, optimizer_values(loaded))
    loaded.fit(X, Y, epochs=1, batch_size=8, verbose=0)  # training resumes

    for by_name in (False, True):
        fresh = build("encoder")
        fresh.load_weights(renamed, by_name=by_name)
        j.same_dict(f"{kind}: full model load_weights(by_name={by_name})", expected,
                    weights(fresh, "encoder"))

    dropped = os.path.join(work, f"{kind}_dropped.h5")
    j.run("rename", full, "--rule", rule, "--drop-optimizer", "-o", dropped)
    with h5py.File(dropped, "r") as f:
        j.check("optimizer_weights" not in f,
                f"{kind}: --drop-optimizer left an optimizer_weights group: "
                f"{list(f.get('optimizer_weights', {}).keys())}")
    j.same_dict(f"{kind}: load_model after --drop-optimizer", expected,
                weights(tf_keras.models.load_model(dropped), "encoder"))

# save_weights .h5 (no optimizer)
old = build("dense_1", tf_keras.optimizers.Adam(0.01))
old.fit(X, Y, epochs=1, verbose=0)
expected = weights(old, "dense_1")
weights_file = os.path.join(work, "weights.h5")
old.save_weights(weights_file)
renamed = os.path.join(work, "weights_renamed.h5")
j.run("rename", weights_file, "--rule", rule, "-o", renamed)
for by_name in (False, True):
    fresh = build("encoder")
    fresh.load_weights(renamed, by_name=by_name)
    j.same_dict(f"save_weights: load_weights(by_name={by_name})", expected,
                weights(fresh, "encoder"))
# Without the rename, by_name=True silently skips the layer: the check above means something.
fresh = build("encoder")
before = fresh.get_layer("encoder").get_weights()[0].copy()
fresh.load_weights(weights_file, by_name=True)
j.check(np.array_equal(before, fresh.get_layer("encoder").get_weights()[0]),
        "by_name=True loaded the un-renamed layer (test premise broken)")

j.finish()
