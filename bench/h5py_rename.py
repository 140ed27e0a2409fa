#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The short h5py script a user would write to rename the layers of a Keras 2 weights .h5.

Copies every layer of IN into a new file OUT, renaming each layer and its weights with the
same rule as `rescope rename --rule dense=fc` (FROM at the start of the layer name and of
each weight name), and rewrites layer_names / weight_names to match. Data is read into
numpy and written with create_dataset, the way Keras' own save_weights writes it.
Usage: h5py_rename.py IN OUT [FROM TO]   (default dense -> fc)
"""
import re
import sys

import h5py


def text(names):
    # h5py 3 returns variable-length strings as str, fixed-length ones as bytes.
    return [n.decode("utf8") if hasattr(n, "decode") else n for n in names]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    old, new = (sys.argv[3], sys.argv[4]) if len(sys.argv) > 4 else ("dense", "fc")
    rule = re.compile("^" + re.escape(old))
    ren = lambda s: rule.sub(new, s)
    with h5py.File(src, "r") as fi, h5py.File(dst, "w") as fo:
        for k, v in fi.attrs.items():
            fo.attrs[k] = v
        layer_names = text(fi.attrs["layer_names"])
        fo.attrs["layer_names"] = [ren(n).encode() for n in layer_names]
        for n in layer_names + ["top_level_model_weights"]:
            gi = fi[n]
            go = fo.create_group(ren(n))
            weights = text(gi.attrs["weight_names"])
            go.attrs["weight_names"] = [ren(w).encode() for w in weights] if weights else gi.attrs["weight_names"]
            for w in weights:
                go.create_dataset(ren(w), data=gi[w][()])


if __name__ == "__main__":
    main()
