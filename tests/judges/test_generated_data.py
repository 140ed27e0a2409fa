# SPDX-License-Identifier: Apache-2.0
"""Checkpoints of kinds the real-file collection lacks, written here by TensorFlow and Keras.

Generated under TMPDIR in every run (nothing is committed): TF1 partitioned variables with Adam
slots, TF2 slot variables (tf.train.Checkpoint with an optimizer after a step), every dtype a
bundle can hold (float16, bfloat16, complex, string, bool, the integers) with their edge values,
a V1 (SavedTensorSlices) checkpoint, a TF2 save split into several data shards by a sharding
callback, a 100,000-variable index (hundreds of index blocks) and Keras 3 nested layers
(.keras and .weights.h5).

For every one, the framework's own reader is the reference:
  * `rescope ls --json` lists exactly its names, dtypes and shapes;
  * `rescope verify` exits 0;
  * `rescope show --json` of a few tensors gives its values exactly;
  * renaming a scope with rescope and renaming it back gives a checkpoint the framework reads
    with the same names and values (TF: tf.train.load_checkpoint; Keras: h5py and
    load_weights / load_model into the same architecture).
"""
import json
import os
import time
import zipfile

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

import judgelib as j  # noqa: E402

import tensorflow as tf  # noqa: E402
from tensorflow.core.protobuf import trackable_object_graph_pb2  # noqa: E402

OBJECT_GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH"
rng = np.random.default_rng(20261203)


# ---------------------------------------------------------------------------------------------
# Reading with TensorFlow and with rescope

def tf_listing(prefix):
    """{name: (dtype name, shape tuple)} as tf.train.load_checkpoint sees the checkpoint."""
    reader = tf.train.load_checkpoint(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    return {name: (dtypes[name].name, tuple(shapes[name])) for name in shapes}


def rescope_listing(path):
    """{name: (dtype, shape tuple)} from `rescope ls --json`."""
    out, _ = j.run("ls", path, "--json")
    listing = json.loads(out)
    return {v["name"]: (v["dtype"], tuple(v["shape"])) for v in listing["variables"]}


def same_listing(what, expected, actual):
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    j.check(not missing, f"{what}: rescope ls lacks {len(missing)}: {missing[:5]}")
    j.check(not extra, f"{what}: rescope ls has {len(extra)} not listed by the framework: "
                       f"{extra[:5]}")
    wrong = [(n, expected[n], actual[n]) for n in sorted(set(expected) & set(actual))
             if expected[n] != actual[n]]
    j.check(not wrong, f"{what}: {len(wrong)} differ in (dtype, shape), framework vs rescope: "
                       f"{wrong[:5]}")


def tf_values(prefix, names=None):
    """{name: numpy value} read by TensorFlow (partitioned variables assembled by TF)."""
    reader = tf.train.load_checkpoint(prefix)
    if names is None:
        names = reader.get_variable_to_shape_map().keys()
    values = {}
    for name in names:
        try:
            values[name] = reader.get_tensor(name)
        except tf.errors.UnimplementedError:  # a sliced V1 variable: the reader refuses it,
            dtype = reader.get_variable_to_dtype_map()[name]  # the restore op assembles it
            values[name] = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[name],
                                                shape_and_slices=[""], dtypes=[dtype])[0].numpy()
    return values


def restore_all(prefix, listing):
    """All values of a large name-based bundle in one RestoreV2 call (faster than the reader)."""
    names = sorted(listing)
    values = {}
    for start in range(0, len(names), 1000):  # an eager op with 100,000 outputs is very slow
        chunk = names[start:start + 1000]
        tensors = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=chunk,
                                       shape_and_slices=[""] * len(chunk),
                                       dtypes=[tf.as_dtype(listing[n][0]) for n in chunk])
        values.update((n, t.numpy()) for n, t in zip(chunk, tensors))
    return values


def same_values(what, expected, actual):
    """Exact equality of two {name: array} dicts; the object graph compared as a message."""
    if OBJECT_GRAPH in expected and OBJECT_GRAPH in actual:
        graphs = []
        for values in (expected, actual):
            graph = trackable_object_graph_pb2.TrackableObjectGraph()
            graph.ParseFromString(bytes(np.asarray(values[OBJECT_GRAPH]).item()))
            graphs.append(graph)
        j.check(graphs[0] == graphs[1], f"{what}: the object graphs differ")
        expected = {k: v for k, v in expected.items() if k != OBJECT_GRAPH}
        actual = {k: v for k, v in actual.items() if k != OBJECT_GRAPH}
    j.same_dict(what, expected, actual)


def json_to_array(value, dtype, shape):
    """The `values` of `rescope show --json` as a numpy array of the framework's dtype."""
    flat = value["values"]
    if dtype == object:  # strings: UTF-8 text, or {"hex": ...} when not valid UTF-8
        items = [bytes.fromhex(s["hex"]) if isinstance(s, dict) else s.encode() for s in flat]
        return np.array(items, dtype=object).reshape(shape)
    special = {"nan": np.nan, "inf": np.inf, "-inf": -np.inf}
    if np.issubdtype(dtype, np.complexfloating):
        items = [complex(special[re] if isinstance(re, str) else re,
                         special[im] if isinstance(im, str) else im) for re, im in flat]
        return np.array(items, dtype=dtype).reshape(shape)
    items = [special[s] if isinstance(s, str) else s for s in flat]
    if dtype == np.bool_:
        return np.array(items, dtype=np.bool_).reshape(shape)
    if np.issubdtype(dtype, np.integer):
        return np.array(items, dtype=dtype).reshape(shape)
    # Floats: parse as float64 (exact for every printed float16/bfloat16/float32 value that
    # round-trips), then narrow to the stored type.
    return np.array(items, dtype=np.float64).astype(dtype).reshape(shape)


# Known limitations, each refused by rescope with a message (never a wrong value): a refusal
# whose message contains the marker is printed as an expected failure; any other error fails.
# When rescope learns the case, its output is compared like every other and the entry can go.
EXPECTED_FAILURES = {}


def run_or_expected(what, args, kind):
    """Runs rescope; returns stdout, or None after an expected (listed) refusal."""
    try:
        out, _ = j.run(*args)
    except AssertionError as e:
        for (k, marker), reason in EXPECTED_FAILURES.items():
            if k == kind and marker in str(e):
                print(f"expected failure ({what}): {reason}")
                return None
        j.check(False, f"{what}: {e}")
        return None
    return out


def check_show(what, path, expected, names):
    """`rescope show NAME --json` equals the framework's value for each of `names`."""
    for name in names:
        want = np.asarray(expected[name])
        if want.dtype.kind == "S":  # a scalar string reads back as numpy bytes
            want = np.array(want.item(), dtype=object)
        out = run_or_expected(what, ("show", path, name, "--json"), "show")
        if out is None:
            continue
        shown = json.loads(out)
        j.check(shown["name"] == name, f"{what}: show {name} printed name {shown['name']}")
        j.check(tuple(shown["shape"]) == want.shape,
                f"{what}: show {name} shape {shown['shape']}, expected {list(want.shape)}")
        try:
            got = json_to_array(shown, want.dtype, want.shape)
        except (ValueError, TypeError, KeyError) as e:
            j.check(False, f"{what}: show {name} --json values not readable as "
                           f"{want.dtype}: {e}: {str(shown['values'])[:200]}")
            continue
        if want.dtype == object:
            j.same_array(f"{what}: show {name}", want, got)
        else:
            # Compare bits: NaN payloads aside (JSON has one "nan"), every value must match.
            nan = np.isnan(want) if np.issubdtype(want.dtype, np.inexact) else None
            if nan is not None and nan.any():
                j.check(np.array_equal(np.isnan(got), nan), f"{what}: show {name}: NaN places")
                want = np.where(nan, 0, want).astype(want.dtype)
                got = np.where(np.isnan(got), 0, got).astype(want.dtype)
            j.same_array(f"{what}: show {name}", want, got)


def check_tf_bundle(what, prefix, scope, temp_scope, show_names, big=False):
    """ls, verify, show and a scope rename round trip of a checkpoint TF reads."""
    t0 = time.monotonic()
    listing = tf_listing(prefix)
    same_listing(what, listing, rescope_listing(prefix))
    j.run("verify", prefix)
    values = restore_all(prefix, listing) if big else tf_values(prefix)
    check_show(what, prefix, values, show_names)

    work = j.scratch(what.replace(" ", "_"))
    there = os.path.join(work, "there", "ckpt")
    back = os.path.join(work, "back", "ckpt")
    j.run("rename", prefix, "--rule", f"{scope}={temp_scope}", "-o", there)
    moved = tf_listing(there)
    renamed = {(temp_scope + n[len(scope):] if n.startswith(scope) else n): v
               for n, v in listing.items()}
    j.check(moved == renamed, f"{what}: after renaming {scope} to {temp_scope} TF lists "
                              f"{sorted(set(moved) ^ set(renamed))[:5]} differently")
    j.run("rename", there, "--rule", f"{temp_scope}={scope}", "-o", back)
    returned = tf_listing(back)
    j.check(returned == listing, f"{what}: after the round trip TF lists "
                                 f"{sorted(set(returned) ^ set(listing))[:5]} differently")
    same_values(f"{what} round trip", values,
                restore_all(back, returned) if big else tf_values(back))
    j.run("verify", back)
    print(f"{what}: {len(listing)} entries checked in {time.monotonic() - t0:.1f} s")
    return values


# ---------------------------------------------------------------------------------------------
# Generators: each lets the framework write one checkpoint under `root` and returns its path.

def train_and_save_v1(root, name, build, saver_kwargs):
    """Builds a TF1 graph with `build`, runs one Adam step, saves with a Saver."""
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.set_random_seed(7)
        loss = build()
        step = tf.compat.v1.train.get_or_create_global_step()
        train = tf.compat.v1.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
        saver = tf.compat.v1.train.Saver(**saver_kwargs)
        with tf.compat.v1.Session(graph=graph) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            sess.run(train)
            return saver.save(sess, os.path.join(root, name), write_meta_graph=False)


def build_partitioned():
    """Variables split by fixed_size_partitioner along axis 0 and 1, and an unsplit one."""
    with tf.compat.v1.variable_scope("net"):
        w = tf.compat.v1.get_variable(
            "part/weights", shape=[10, 4],
            partitioner=tf.compat.v1.fixed_size_partitioner(3))
        e = tf.compat.v1.get_variable(
            "part/embedding", shape=[6, 7],
            partitioner=tf.compat.v1.fixed_size_partitioner(2, axis=1))
        b = tf.compat.v1.get_variable("dense/bias", shape=[4],
                                      initializer=tf.compat.v1.random_normal_initializer())
    return (tf.reduce_sum(tf.square(tf.matmul(tf.ones([2, 10]), w) + b))
            + tf.reduce_sum(tf.square(e)))


def make_partitioned(root):
    return train_and_save_v1(root, "partitioned.ckpt", build_partitioned, {})


def make_v1(root):
    return train_and_save_v1(root, "v1.ckpt", build_partitioned,
                             {"write_version": tf.compat.v1.train.SaverDef.V1})


def make_tf2_slots(root):
    """A tf-keras model and its Adam in tf.train.Checkpoint after one training step."""
    import tf_keras
    tf_keras.utils.set_random_seed(3)
    model = tf_keras.Sequential([tf_keras.layers.Dense(8, activation="relu", name="dense_1"),
                                 tf_keras.layers.Dense(2, name="out")])
    model.build((None, 5))
    # The legacy optimizer keeps its slots as TF2 slot variables (.OPTIMIZER_SLOT edges); the
    # new one stores them as a flat optimizer/_variables list.
    optimizer = tf_keras.optimizers.legacy.Adam(0.01)
    x = tf.constant(rng.normal(size=(4, 5)), tf.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(model(x)))
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                  model.trainable_variables))
    return tf.train.Checkpoint(net=model, optimizer=optimizer).write(
        os.path.join(root, "tf2_slots", "ckpt"))


def dtype_tensors():
    """{name: tf tensor}: every dtype a bundle holds, with edge values."""
    f16 = np.array([0.0, -0.0, 1.0, -2.5, 65504, 6e-8, 6.1e-5, np.inf, -np.inf, np.nan, 0.1, 1 / 3],
                   np.float16)
    specials = np.array([0.0, -0.0, 1.0, -2.5, 3.4e38, 1e-40, 1.5e-45, np.inf, -np.inf, np.nan,
                         0.1, 1 / 3], np.float32)
    strings = np.array([b"", b"a", b"\x00\xff\xfe raw", "\u00fcn\u00efcode \u2713".encode(),
                        b"x" * 300, b"tab\tnew\nline\"quote'"], dtype=object)
    complex64 = (rng.normal(size=(3, 2)) + 1j * rng.normal(size=(3, 2))).astype(np.complex64)
    complex64[0, 0] = complex(np.inf, -0.0)
    tensors = {
        "dtypes/float16": tf.constant(f16.reshape(3, 4)),
        "dtypes/bfloat16": tf.cast(tf.constant(specials), tf.bfloat16),
        "dtypes/float32": tf.constant(specials.reshape(2, 2, 3)),
        "dtypes/float64": tf.constant(np.append(rng.normal(size=7), [np.nan, -0.0, 5e-324])),
        "dtypes/complex64": tf.constant(complex64),
        "dtypes/complex128": tf.constant(rng.normal(size=4) - 1j * rng.normal(size=4)),
        "dtypes/string": tf.constant(strings.reshape(2, 3)),
        "dtypes/string_scalar": tf.constant(b"one string"),
        "dtypes/bool": tf.constant(rng.random((3, 3)) > 0.5),
        "dtypes/int8": tf.constant(np.arange(-128, 128, dtype=np.int8).reshape(16, 16)),
        "dtypes/uint8": tf.constant(np.arange(256, dtype=np.uint8)),
        "dtypes/int16": tf.constant(np.array([-32768, -1, 0, 32767], np.int16)),
        "dtypes/uint16": tf.constant(np.array([0, 1, 65535], np.uint16)),
        "dtypes/int32": tf.constant(np.array([-2**31, -1, 0, 2**31 - 1], np.int32)),
        "dtypes/uint32": tf.constant(np.array([0, 2**32 - 1], np.uint32)),
        "dtypes/int64": tf.constant(np.array([-2**63, -1, 0, 2**63 - 1], np.int64)),
        "dtypes/uint64": tf.constant(np.array([0, 2**64 - 1], np.uint64)),
        "dtypes/scalar_int64": tf.constant(np.int64(1234567890123)),
        "dtypes/empty": tf.zeros([0, 3], tf.float32),
        "other/kept": tf.constant([1.0, 2.0]),
    }
    return tensors


def make_dtypes(root):
    """Every dtype, written by TF's SaveV2 op (the kernel Saver and Checkpoint both run)."""
    prefix = os.path.join(root, "dtypes", "ckpt")
    tensors = dtype_tensors()
    names = sorted(tensors)
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tensors[n] for n in names])
    return prefix


def make_sharded(root):
    """A TF2 Checkpoint split by MaxShardSizePolicy into several data shards."""
    weights = {f"w{i:02d}": tf.Variable(rng.normal(size=(64, 100)).astype(np.float32))
               for i in range(12)}
    weights["step"] = tf.Variable(np.int64(41))
    options = tf.train.CheckpointOptions(
        experimental_sharding_callback=tf.train.experimental.MaxShardSizePolicy(
            max_shard_size=60_000))
    return tf.train.Checkpoint(params=weights).write(
        os.path.join(root, "sharded", "ckpt"), options=options)


def make_100k(root):
    """100,000 small variables in one name-based bundle (an index of hundreds of blocks).

    Written as 100 parts of 1,000 by SaveV2 and merged by MergeV2Checkpoints into one prefix
    with 100 data shards, as a sharded Saver does: one eager op with 100,000 inputs or outputs
    takes minutes in TF 2.21, 1,000 at a time takes seconds.
    """
    count, part = 100_000, 1_000
    names = [f"big/block_{i // 100:04d}/layer_{i % 100:02d}/w" for i in range(count)]
    data = rng.normal(size=(count, 2)).astype(np.float32)
    parts = []
    for start in range(0, count, part):
        parts.append(os.path.join(root, "big_parts", f"part{start // part:03d}"))
        tf.raw_ops.SaveV2(prefix=parts[-1], tensor_names=names[start:start + part],
                          shape_and_slices=[""] * part,
                          tensors=tf.unstack(tf.constant(data[start:start + part])))
    prefix = os.path.join(root, "big", "ckpt")
    tf.raw_ops.MergeV2Checkpoints(checkpoint_prefixes=parts, destination_prefix=prefix)
    return prefix


# ---------------------------------------------------------------------------------------------
# Keras 3

def keras_nested_model(keras):
    """A functional model around a nested Sequential holding a custom layer with sublayers."""

    @keras.saving.register_keras_serializable(package="rescope_judge")
    class Block(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.inner = keras.layers.Dense(units, name="inner")
            self.norm = keras.layers.LayerNormalization(name="norm")

        def build(self, input_shape):
            self.inner.build(input_shape)
            self.norm.build((*input_shape[:-1], self.units))
            self.scale = self.add_weight(name="scale", shape=(self.units,), initializer="ones")

        def call(self, x):
            return self.norm(self.inner(x)) * self.scale

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    encoder = keras.Sequential([keras.Input((5,)), keras.layers.Dense(6, name="proj"),
                                Block(6, name="block")], name="encoder")
    inputs = keras.Input((5,))
    outputs = keras.layers.Dense(3, name="head")(encoder(inputs))
    return keras.Model(inputs, outputs, name="outer")


def h5_datasets(source):
    """{path: array} of every dataset in an HDF5 file (path or file-like)."""
    found = {}
    with h5py.File(source, "r") as f:
        f.visititems(lambda name, obj: found.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return found


def keras_file_datasets(path):
    """The framework's view of a Keras 3 file: its HDF5 datasets (inside the zip for .keras)."""
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as z, z.open("model.weights.h5") as member:
            import io
            return h5_datasets(io.BytesIO(member.read()))
    return h5_datasets(path)


def check_keras(keras):
    keras.utils.set_random_seed(5)
    root = j.scratch("keras3")
    model = keras_nested_model(keras)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x = rng.normal(size=(8, 5)).astype(np.float32)
    y = rng.normal(size=(8, 3)).astype(np.float32)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    files = {"keras3 .keras": os.path.join(root, "nested.keras"),
             "keras3 .weights.h5": os.path.join(root, "nested.weights.h5")}
    model.save(files["keras3 .keras"])
    model.save_weights(files["keras3 .weights.h5"])
    expected_weights = [w.numpy() for w in model.weights]

    for what, path in files.items():
        datasets = keras_file_datasets(path)
        rescope = rescope_listing(path)
        same_listing(what, {n: (v.dtype.name, v.shape) for n, v in datasets.items()}, rescope)
        j.run("verify", path)
        nested = [n for n in datasets if "block" in n][:3]
        check_show(what, path, datasets, nested)

        ext = ".keras" if path.endswith(".keras") else ".weights.h5"
        work = j.scratch(what.replace(" ", "_").replace(".", ""))
        there = os.path.join(work, "there" + ext)
        back = os.path.join(work, "back" + ext)
        scope = "layers/functional/layers/block/"
        if not any(n.startswith(scope) for n in datasets):
            scope = next(n for n in datasets if "block" in n).rsplit("block", 1)[0] + "block/"
        temp = scope.replace("block/", "block_moved/")
        j.run("rename", path, "--rule", f"{scope}={temp}", "-o", there)
        moved = keras_file_datasets(there)
        j.check(any(n.startswith(temp) for n in moved) and not any(
            n.startswith(scope) for n in moved), f"{what}: {scope} not renamed to {temp}")
        j.run("rename", there, "--rule", f"{temp}={scope}", "-o", back)
        j.same_dict(f"{what} round trip", datasets, keras_file_datasets(back))

        # Keras itself restores the round-tripped file into the same architecture.
        if ext == ".keras":
            restored = keras.saving.load_model(back)
        else:
            restored = keras_nested_model(keras)
            restored.load_weights(back)
        got = [w.numpy() for w in restored.weights]
        j.check(len(got) == len(expected_weights),
                f"{what}: Keras restored {len(got)} weights, expected {len(expected_weights)}")
        for i, (want, have) in enumerate(zip(expected_weights, got)):
            j.same_array(f"{what} restored weight {i} ({model.weights[i].path})", want, have)
        print(f"{what}: {len(datasets)} datasets checked, {scope} renamed and back")


# ---------------------------------------------------------------------------------------------

def case(what, function, *args, **kwargs):
    """Runs one scenario; a rescope error is recorded as a failed check, the others go on."""
    try:
        function(*args, **kwargs)
    except AssertionError as e:
        j.check(False, f"{what}: {e}")


def tf2_slots_case(root):
    slots = make_tf2_slots(root)
    slot_names = sorted(n for n in tf_listing(slots) if ".OPTIMIZER_SLOT" in n)
    j.check(len(slot_names) >= 4, f"TF2 slots: expected Adam slot variables, TF lists "
                                  f"{slot_names}")
    check_tf_bundle("TF2 slots", slots, "net/", "network/", slot_names[:2])


def sharded_case(root):
    sharded = make_sharded(root)
    shards = [f for f in os.listdir(os.path.dirname(sharded)) if ".data-" in f]
    j.check(len(shards) >= 3, f"sharded: TF wrote {len(shards)} data shards, expected several")
    check_tf_bundle("sharded TF2", sharded, "params/", "weights/",
                    ["params/w00/.ATTRIBUTES/VARIABLE_VALUE",
                     "params/w11/.ATTRIBUTES/VARIABLE_VALUE"])


def big_case(root):
    t0 = time.monotonic()
    big = make_100k(root)
    print(f"100k variables written by TF in {time.monotonic() - t0:.1f} s")
    index_size = os.path.getsize(big + ".index")
    j.check(index_size > 100 * 4096, f"100k: index of {index_size} bytes, expected many blocks")
    check_tf_bundle("100k variables", big, "big/", "huge/",
                    ["big/block_0000/layer_00/w", "big/block_0999/layer_99/w"], big=True)


def main():
    root = j.scratch("generated")
    t0 = time.monotonic()
    case("partitioned", lambda: check_tf_bundle(
        "partitioned", make_partitioned(root), "net/", "moved_net/",
        ["net/part/weights", "net/part/embedding", "net/part/weights/Adam_1", "net/dense/bias"]))
    case("V1 checkpoint", lambda: check_tf_bundle(
        "V1 checkpoint", make_v1(root), "net/", "moved_net/",
        ["net/part/weights", "net/dense/bias", "global_step"]))
    case("TF2 slots", tf2_slots_case, root)
    case("dtypes", lambda: check_tf_bundle("dtypes", make_dtypes(root), "dtypes/", "kinds/",
                                           sorted(dtype_tensors())))
    case("sharded TF2", sharded_case, root)
    case("100k variables", big_case, root)
    print(f"TF checkpoints: {time.monotonic() - t0:.1f} s")

    import keras
    case("keras3", check_keras, keras)
    print(f"total: {time.monotonic() - t0:.1f} s")
    j.finish()


if __name__ == "__main__":
    main()
