// SPDX-License-Identifier: Apache-2.0
// Dequantization of GGML's block-quantized element encodings (q8_0, q4_0, ..., q6_k) to
// float32, with the results of ggml's reference dequantize_row_* code bit for bit.
//
// These are element encodings like float16 (core/values/small_floats.h), not a file format: a
// tensor of one of these types is a sequence of fixed-size blocks, each holding
// DTypeBlock(dtype).block_elements values (32 or 256) in block_bytes bytes. The block
// layouts and formulas are described in docs/FORMATS-ggml-blocks.md.
//
// Every product and sum is a float32 operation in the order ggml's C code does it; the
// file is compiled with -ffp-contract=off so no compiler fuses a multiply and an add into
// one rounding (an FMA would change the last bit of d * q - m).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/store/dtype.h"

namespace rescope {

// Dequantizes `blocks` consecutive blocks at `src` (blocks * block_bytes bytes, any
// alignment) into `out` (blocks * block_elements floats).
using GgmlDequantizeFn = void (*)(const uint8_t* src, size_t blocks, float* out);

// The dequantizer of a GGML block type, or nullptr when rescope has none (the IQ*_XXS/S
// grid types, the ternary types, q8_1/q8_k, ...).
GgmlDequantizeFn GgmlDequantizer(DType dtype);

inline bool HasGgmlDequantizer(DType dtype) { return GgmlDequantizer(dtype) != nullptr; }

// IEEE binary16 to float32 (exact; NaN payloads kept), as ggml's GGML_FP16_TO_FP32.
float GgmlHalfToFloat(uint16_t bits);

}  // namespace rescope
