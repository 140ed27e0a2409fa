# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of tests/fuzz/gguf_fuzzer: small GGUF files made with gguf-py
(llama.cpp's own writer): every metadata type, nested arrays, plain and block tensors, a
non-default alignment, and one hand-built file with empty arrays (which gguf-py refuses to
write). Usage: python3 tests/fuzz/make_gguf_fuzzer_seeds.py tests/fuzz/corpus/gguf_fuzzer
"""
import os
import struct
import sys

import gguf
import numpy as np
from gguf import GGMLQuantizationType as Q

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)


def written(name, fill, **kwargs):
    path = os.path.join(out, name)
    w = gguf.GGUFWriter(path, "llama", **kwargs)
    fill(w)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def metadata(w):
    w.add_uint8("a", 1); w.add_int8("b", -1); w.add_uint16("c", 2); w.add_int16("d", -2)
    w.add_uint32("e", 3); w.add_int32("f", -3); w.add_float32("g", 0.5); w.add_uint64("h", 4)
    w.add_int64("i", -4); w.add_float64("j", 0.25); w.add_bool("k", True); w.add_string("l", "é")
    w.add_array("m", [1, 2]); w.add_array("n", ["x", "y"]); w.add_array("o", [[1], [2, 3]])
    w.add_tensor("t", np.arange(4, dtype=np.float32))


def tensors(w):
    w.add_tensor("f16", np.arange(8, dtype=np.float16).reshape(2, 4))
    w.add_tensor("bf16", np.arange(4, dtype=np.uint16), raw_dtype=Q.BF16)
    w.add_tensor("i32", np.arange(3, dtype=np.int32))
    for t in (Q.Q8_0, Q.Q4_0):
        data = rng.standard_normal((1, 32)).astype(np.float32)
        w.add_tensor(t.name.lower(), gguf.quants.quantize(data, t), raw_dtype=t)
    # gguf-py has no Q4_K quantizer: one block of random bytes (144 bytes, 256 values).
    w.add_tensor("q4_k", rng.integers(0, 255, (1, 144), dtype=np.uint8), raw_dtype=Q.Q4_K)


def aligned(w):
    w.add_custom_alignment(64)
    w.add_tensor("a", np.ones(3, dtype=np.float32))
    w.add_tensor("b", np.ones(5, dtype=np.float32))


written("metadata.gguf", metadata)
written("tensors.gguf", tensors)
written("aligned.gguf", aligned)

# Empty arrays, one tensor, built by hand.
def s(text):
    return struct.pack("<Q", len(text)) + text.encode()

body = b"GGUF" + struct.pack("<IQQ", 3, 1, 2)
body += s("e") + struct.pack("<IIQ", 9, 5, 0)
body += s("n") + struct.pack("<IIQ", 9, 9, 1) + struct.pack("<IQ", 8, 0)
body += s("x") + struct.pack("<IQIQ", 1, 2, 0, 0)
body += b"\0" * ((-len(body)) % 32) + np.ones(2, dtype=np.float32).tobytes()
with open(os.path.join(out, "empty_arrays.gguf"), "wb") as f:
    f.write(body)
