#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a ~1 GiB Keras 2 weights-only .h5 (save_weights layout) for keras_rename_bench.sh.

The layout follows FORMATS.md section 5.2 as tf.keras 2.15 writes it with h5py >= 3: root
attributes layer_names (list of bytes -> variable-length ASCII), backend and keras_version
(bytes), one group per layer in model order with weight_names, contiguous unfiltered float32
datasets at <layer>/<layer>/{kernel,bias}:0, and an empty top_level_model_weights group whose
weight_names is the float64 (0,) attribute Keras writes for an empty list.

Usage: make_big_keras_h5.py OUT [LAYERS] [WIDTH]   (defaults 300 layers of [944, 944]:
300 * (944 * 944 + 944) * 4 = 1,070,476,800 data bytes). Contents are deterministic.
"""
import sys

import h5py
import numpy as np


def main():
    out = sys.argv[1]
    layers = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    width = int(sys.argv[3]) if len(sys.argv) > 3 else 944
    names = ["dense"] + ["dense_%d" % i for i in range(1, layers)]
    rng = np.random.default_rng(20261129)
    with h5py.File(out, "w") as f:
        f.attrs["layer_names"] = [n.encode("utf8") for n in names]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.15.0"
        for n in names:
            g = f.create_group(n)
            weights = [n + "/kernel:0", n + "/bias:0"]
            g.attrs["weight_names"] = [w.encode("utf8") for w in weights]
            kernel = rng.standard_normal((width, width), dtype=np.float32) * 0.05
            g.create_dataset(weights[0], data=kernel)
            g.create_dataset(weights[1], data=np.full((width,), 0.01, dtype=np.float32))
        top = f.create_group("top_level_model_weights")
        top.attrs["weight_names"] = np.zeros((0,), dtype=np.float64)


if __name__ == "__main__":
    main()
