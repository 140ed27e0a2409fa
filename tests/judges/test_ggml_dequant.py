# SPDX-License-Identifier: Apache-2.0
"""GGML dequantization: rescope's float32 values must equal the gguf package's (llama.cpp's
own numpy port of ggml's dequantize_row_*) bit for bit, for every block type rescope decodes.

Blocks are random bytes from numpy with their float16 scale fields replaced by finite
float16 values (random bytes would make some scales inf/NaN), plus blocks that gguf-py's
quantizers made from realistic weights. rescope reads them through ElementReader, the
path of show, show --stats and diff --values (tests/tools/ggml_dequant_tool.cc), with a
small window and a start in the middle of a block as well.
"""
import os
import subprocess

import numpy as np
from gguf import GGML_QUANT_SIZES, GGMLQuantizationType as T
from gguf import quants

from judgelib import check, finish, same_array, scratch

TOOL = os.environ.get("RESCOPE_GGML_DEQUANT_TOOL")

# Byte offsets of the float16 scale fields in each block (ggml-common.h block structs).
HALF_FIELDS = {
    T.Q8_0: [0], T.Q4_0: [0], T.Q4_1: [0, 2], T.Q5_0: [0], T.Q5_1: [0, 2],
    T.Q2_K: [80, 82], T.Q3_K: [108], T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [208],
    T.IQ4_NL: [0], T.IQ4_XS: [0], T.MXFP4: [],  # MXFP4's scale is an E8M0 byte: all finite
}

rng = np.random.default_rng(15)
work = scratch("ggml")


def rescope_values(qtype, blocks, window=None, start=0):
    block_elems, _ = GGML_QUANT_SIZES[qtype]
    count = blocks.shape[0] * block_elems
    src = os.path.join(work, "blocks.bin")
    out = os.path.join(work, "values.f32")
    blocks.tofile(src)
    args = [TOOL, qtype.name.lower(), str(count), src, out]
    if window is not None:
        args += [str(window), str(start)]
    proc = subprocess.run(args, capture_output=True, text=True)
    if not check(proc.returncode == 0, f"{qtype.name}: tool exit {proc.returncode}: {proc.stderr}"):
        return None
    return np.fromfile(out, dtype=np.float32)


def random_blocks(qtype, n_blocks):
    _, type_size = GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    for off in HALF_FIELDS[qtype]:
        # Normal scales of several magnitudes, a few subnormal ones and signed zeros.
        scales = (rng.standard_normal(n_blocks) * 10.0 ** rng.integers(-6, 3, n_blocks))
        scales = scales.astype(np.float16)
        scales[:3] = np.array([6e-8, -0.0, 65504], dtype=np.float16)
        blocks[:, off:off + 2] = scales.view(np.uint8).reshape(n_blocks, 2)
    return blocks


def compare(label, qtype, blocks):
    with np.errstate(over="ignore"):  # MXFP4 scale 2^127 times 12 is inf in both
        expected = quants.dequantize(blocks.reshape(-1), qtype).astype(np.float32).reshape(-1)
    got = rescope_values(qtype, blocks)
    if got is not None:
        same_array(f"{label} {qtype.name}", expected, got)
    # One block per window, starting inside the first block (skipping 5 elements).
    got = rescope_values(qtype, blocks, window=1, start=5)
    if got is not None:
        same_array(f"{label} {qtype.name} window=1 start=5", expected[5:], got)


if TOOL is None or not os.path.exists(TOOL):
    check(False, f"ggml_dequant_tool not found (RESCOPE_GGML_DEQUANT_TOOL={TOOL!r})")
else:
    for qtype in HALF_FIELDS:
        compare("random", qtype, random_blocks(qtype, 97))

    # Realistic data: weights quantized by gguf-py itself, where it can quantize.
    weights = (rng.standard_normal(64 * 256) * 0.02).astype(np.float32)
    weights[:32] = 0  # an all-zero block (scale 0)
    for qtype in (T.Q8_0, T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.MXFP4):
        q = quants.quantize(weights, qtype)
        _, type_size = GGML_QUANT_SIZES[qtype]
        compare("quantized", qtype, q.reshape(-1, type_size))

    # A type without a dequantizer is refused, never printed as garbage.
    blocks = rng.integers(0, 256, size=(1, GGML_QUANT_SIZES[T.IQ2_XXS][1]), dtype=np.uint8)
    blocks.tofile(os.path.join(work, "iq.bin"))
    proc = subprocess.run([TOOL, "iq2_xxs", "256", os.path.join(work, "iq.bin"),
                           os.path.join(work, "iq.f32")], capture_output=True, text=True)
    check(proc.returncode == 2 and "iq2_xxs: values are not decoded" in proc.stderr,
          f"iq2_xxs: exit {proc.returncode}, stderr {proc.stderr!r}")

finish()
