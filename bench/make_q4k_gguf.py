# SPDX-License-Identifier: Apache-2.0
# Writes a GGUF file (gguf-py's GGUFWriter) holding one Q4_K tensor "blk.0.ffn_up.weight"
# of pseudo-random blocks whose float32 dequantization is MIB MiB, for timing
# `rescope show --stats` on a block tensor (bench/README.md "dequant_bench"). The float16
# scale fields d and dmin are forced finite ([2^-11, 2^-7) in magnitude), as dequant_bench
# does, so every element is finite and the statistics take their common path.
#
#   python bench/make_q4k_gguf.py OUT.gguf [MIB]     (MIB default 256)
import sys

import numpy as np
from gguf import GGMLQuantizationType, GGUFWriter

ROW = 4096  # elements per row: 16 Q4_K blocks of 256 elements, 144 bytes each
BLOCK_ELEMENTS, BLOCK_BYTES = 256, 144

out = sys.argv[1]
mib = int(sys.argv[2]) if len(sys.argv) > 2 else 256
rows = (mib << 20) // 4 // ROW
blocks = rows * ROW // BLOCK_ELEMENTS
rng = np.random.default_rng(7)
data = rng.integers(0, 256, size=(blocks, BLOCK_BYTES), dtype=np.uint8)
for off in (0, 2):  # d and dmin: high byte 0x10..0x1f = exponent 4
    data[:, off + 1] = 0x10 + (data[:, off + 1] & 0x0F)
w = GGUFWriter(out, "llama")
w.add_tensor("blk.0.ffn_up.weight", data.reshape(rows, ROW // BLOCK_ELEMENTS * BLOCK_BYTES),
             raw_dtype=GGMLQuantizationType.Q4_K)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print(f"{out}: Q4_K [{rows}, {ROW}] = {rows * ROW} elements, "
      f"{rows * ROW * 4 / 2**20:.0f} MiB as float32, {blocks * BLOCK_BYTES} bytes of blocks")
