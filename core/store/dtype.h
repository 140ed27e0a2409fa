// SPDX-License-Identifier: Apache-2.0
// DType: element types of checkpoint tensors, numbered like TensorFlow's DataType enum
// (FORMATS.md §1.8) because TF bundles are the format rescope is built around. Other
// formats map their own type names onto these values.
//
// A DType is a plain integer so that an enum value rescope does not know survives a
// read/list/rename round trip; it is an error only when its bytes must be interpreted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rescope {

enum class DType : int32_t {
  kInvalid = 0,
  kFloat32 = 1,
  kFloat64 = 2,
  kInt32 = 3,
  kUInt8 = 4,
  kInt16 = 5,
  kInt8 = 6,
  kString = 7,
  kComplex64 = 8,
  kInt64 = 9,
  kBool = 10,
  kQInt8 = 11,
  kQUInt8 = 12,
  kQInt32 = 13,
  kBFloat16 = 14,
  kQInt16 = 15,
  kQUInt16 = 16,
  kUInt16 = 17,
  kComplex128 = 18,
  kFloat16 = 19,
  kResource = 20,
  kVariant = 21,
  kUInt32 = 22,
  kUInt64 = 23,
  kFloat8E5M2 = 24,
  kFloat8E4M3FN = 25,
  kFloat8E4M3FNUZ = 26,
  kFloat8E4M3B11FNUZ = 27,
  kFloat8E5M2FNUZ = 28,
  kInt4 = 29,
  kUInt4 = 30,
  kInt2 = 31,
  kUInt2 = 32,
  kFloat4E2M1FN = 33,

  // rescope's own values for element types no TF DataType names. They sit far above TF's
  // range and its reference types (value + 100), so a new TF value never collides.
  // Sub-byte types are packed here (safetensors F4 holds two elements per byte), unlike TF's
  // one-element-per-byte float4_e2m1fn above.
  kFloat8E8M0FNU = 1001,   // safetensors F8_E8M0: an exponent-only scale (MX formats)
  kFloat6E2M3FN = 1002,    // safetensors F6_E2M3: 4 elements in 3 bytes
  kFloat6E3M2FN = 1003,    // safetensors F6_E3M2: 4 elements in 3 bytes
  kFloat4E2M1FNX2 = 1004,  // safetensors F4: 2 elements per byte

  // GGML's block-quantized types: 2000 + the ggml_type number that GGUF tensor infos store.
  // A block of `block_elements` values is stored in `block_bytes` bytes (DTypeBlock).
  kGgmlQ4_0 = 2002,
  kGgmlQ4_1 = 2003,
  kGgmlQ5_0 = 2006,
  kGgmlQ5_1 = 2007,
  kGgmlQ8_0 = 2008,
  kGgmlQ8_1 = 2009,
  kGgmlQ2_K = 2010,
  kGgmlQ3_K = 2011,
  kGgmlQ4_K = 2012,
  kGgmlQ5_K = 2013,
  kGgmlQ6_K = 2014,
  kGgmlQ8_K = 2015,
  kGgmlIQ2_XXS = 2016,
  kGgmlIQ2_XS = 2017,
  kGgmlIQ3_XXS = 2018,
  kGgmlIQ1_S = 2019,
  kGgmlIQ4_NL = 2020,
  kGgmlIQ3_S = 2021,
  kGgmlIQ2_S = 2022,
  kGgmlIQ4_XS = 2023,
  kGgmlIQ1_M = 2029,
  kGgmlTQ1_0 = 2034,
  kGgmlTQ2_0 = 2035,
  kGgmlMXFP4 = 2039,
  kGgmlNVFP4 = 2040,
  kGgmlQ1_0 = 2041,
};

// The first value of the GGML block types: DType(kGgmlTypeBase + ggml_type).
constexpr int32_t kGgmlTypeBase = 2000;

// Lowercase name used in all output: "float32", "bfloat16", "qint8", "float32_ref" for
// graph-only reference types (value + 100), and "dtype<N>" for values rescope does not know.
std::string DTypeName(DType dtype);

// Inverse of DTypeName for known names (also accepts "dtype<N>", "half", "float",
// "double"). Returns nullopt for anything else.
std::optional<DType> ParseDTypeName(std::string_view name);

// Bytes per element when elements are stored densely ("memcpy" types), or nullopt for
// variable-length types (string, variant), non-storable types (resource, refs) and
// unknown values.
std::optional<uint32_t> DTypeElementSize(DType dtype);

// How a type's elements are stored: `block_elements` values in `block_bytes` bytes. Dense
// types are {1, element size}; packed sub-byte types {2, 1} or {4, 3}; GGML types {32, 18}...
struct DTypeBlockLayout {
  uint32_t block_elements = 0;
  uint32_t block_bytes = 0;
};
// nullopt for variable-length, non-storable and unknown types.
std::optional<DTypeBlockLayout> DTypeBlock(DType dtype);

// Bytes that `num_elements` values of `dtype` occupy; nullopt for types without a block
// layout, on overflow, or when num_elements is not a whole number of blocks (a GGML row of
// 100 values cannot be stored in Q4_0, whose blocks hold 32).
std::optional<uint64_t> DTypeStoredBytes(DType dtype, uint64_t num_elements);

// True for GGML's block-quantized types (values need a dequantizer to be read).
bool IsGgmlBlockDType(DType dtype);

// True for the floating types (float16/32/64, bfloat16, float8 variants).
bool IsFloatingDType(DType dtype);
bool IsComplexDType(DType dtype);
bool IsKnownDType(DType dtype);

inline int32_t DTypeValue(DType dtype) { return static_cast<int32_t>(dtype); }

}  // namespace rescope
