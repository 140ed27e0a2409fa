# SPDX-License-Identifier: Apache-2.0
"""Keras 3: Keras writes .keras and .weights.h5, rescope renames a layer, Keras loads.

Keras 3 stores weights by object path, not by layer name: a subclassed model's layer
attribute `self.dense_1` is the path `dense_1/vars/0`. The refactored class calls it
`self.encoder`; rescope renames `dense_1/` to `encoder/`; keras.saving.load_model (of the
.keras archive) and load_weights (of the .weights.h5) into the refactored model give the
saved weights exactly, optimizer variables included (Keras 3 stores those by index under
optimizer/vars, so they need no rename). Also: `convert model.keras out.weights.h5` writes
HDF5 that load_weights reads.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import h5py  # noqa: E402
import judgelib as j  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402

X = np.linspace(-1, 1, 24, dtype=np.float32).reshape(8, 3)
Y = np.linspace(0, 2, 16, dtype=np.float32).reshape(8, 2)


@keras.saving.register_keras_serializable(package="judge", name="Net")
class Before(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = keras.layers.Dense(4)
        self.head = keras.layers.Dense(2)

    def call(self, x):
        return self.head(self.dense_1(x))


class After(keras.Model):
    """The refactored class: `dense_1` is now `encoder`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.encoder = keras.layers.Dense(4)
        self.head = keras.layers.Dense(2)

    def call(self, x):
        return self.head(self.encoder(x))


def compiled(cls):
    keras.utils.set_random_seed(3)
    model = cls()
    model(X[:1])
    model.compile(keras.optimizers.Adam(0.01), "mse")
    model.optimizer.build(model.trainable_variables)  # so load_weights restores it too
    return model


def values(model, first):
    out = {f"first/{i}": np.asarray(v) for i, v in enumerate(getattr(model, first).get_weights())}
    out |= {f"head/{i}": np.asarray(v) for i, v in enumerate(model.head.get_weights())}
    return out


def optimizer_values(model):
    # By position: that is how Keras 3 stores them (optimizer/vars/<i>); paths carry names.
    return {f"{i}": np.asarray(v) for i, v in enumerate(model.optimizer.variables)}


work = j.scratch("keras3")
old = compiled(Before)
old.fit(X, Y, epochs=2, batch_size=4, verbose=0)
expected = values(old, "dense_1")
expected_opt = optimizer_values(old)
rule = "dense_1/=encoder/"

# .weights.h5
weights_file = os.path.join(work, "model.weights.h5")
old.save_weights(weights_file)
renamed = os.path.join(work, "renamed.weights.h5")
j.run("rename", weights_file, "--rule", rule, "-o", renamed)
with h5py.File(renamed, "r") as f:
    j.check("encoder/vars/0" in f and "dense_1" not in f, f"renamed paths: {list(f.keys())}")
new = compiled(After)
new.load_weights(renamed)
j.same_dict("weights.h5: load_weights", expected, values(new, "encoder"))
got_opt = optimizer_values(new)
j.same_dict("weights.h5: optimizer variables", expected_opt, got_opt)

# .keras archive: load_model builds the refactored class (registered under the same name)
archive = os.path.join(work, "model.keras")
old.save(archive)
renamed_archive = os.path.join(work, "renamed.keras")
j.run("rename", archive, "--rule", rule, "-o", renamed_archive)
with keras.saving.custom_object_scope({"judge>Net": After}):
    loaded = keras.saving.load_model(renamed_archive)
j.check(isinstance(loaded, After), f"load_model built {type(loaded).__name__}, not After")
j.same_dict(".keras: load_model", expected, values(loaded, "encoder"))
j.same_dict(".keras: optimizer variables", expected_opt, optimizer_values(loaded))
loaded.fit(X, Y, epochs=1, verbose=0)  # training resumes
fresh = compiled(After)
fresh.load_weights(renamed_archive)
j.same_dict(".keras: load_weights", expected, values(fresh, "encoder"))
j.same_dict(".keras: load_weights optimizer variables", expected_opt, optimizer_values(fresh))

# convert .keras -> .weights.h5 and -> .h5 write HDF5, never a zip under an HDF5 name
for name in ("converted.weights.h5", "converted.h5"):
    out = os.path.join(work, name)
    j.run("convert", archive, out, "--rule", rule)
    with open(out, "rb") as f:
        j.check(f.read(8) == b"\x89HDF\r\n\x1a\n", f"convert -> {name} did not write HDF5")
fresh = compiled(After)
fresh.load_weights(os.path.join(work, "converted.weights.h5"))
j.same_dict("convert .keras -> .weights.h5: load_weights", expected, values(fresh, "encoder"))

j.finish()
