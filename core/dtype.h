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
};

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

// True for the floating types (float16/32/64, bfloat16, float8 variants).
bool IsFloatingDType(DType dtype);
bool IsComplexDType(DType dtype);
bool IsKnownDType(DType dtype);

inline int32_t DTypeValue(DType dtype) { return static_cast<int32_t>(dtype); }

}  // namespace rescope
