// SPDX-License-Identifier: Apache-2.0
// Names and sizes of DType values.
#include "core/dtype.h"

#include <array>
#include <charconv>

namespace rescope {
namespace {

struct DTypeInfo {
  DType dtype;
  const char* name;
  uint32_t element_size;  // 0 = not a dense memcpy type
  bool floating;
};

// One row per TF DataType value 1..33 (FORMATS.md §1.8). Element sizes of the float8 and
// 4-bit types follow TF's one-element-per-byte layout.
constexpr std::array<DTypeInfo, 33> kDTypes = {{
    {DType::kFloat32, "float32", 4, true},
    {DType::kFloat64, "float64", 8, true},
    {DType::kInt32, "int32", 4, false},
    {DType::kUInt8, "uint8", 1, false},
    {DType::kInt16, "int16", 2, false},
    {DType::kInt8, "int8", 1, false},
    {DType::kString, "string", 0, false},
    {DType::kComplex64, "complex64", 8, false},
    {DType::kInt64, "int64", 8, false},
    {DType::kBool, "bool", 1, false},
    {DType::kQInt8, "qint8", 1, false},
    {DType::kQUInt8, "quint8", 1, false},
    {DType::kQInt32, "qint32", 4, false},
    {DType::kBFloat16, "bfloat16", 2, true},
    {DType::kQInt16, "qint16", 2, false},
    {DType::kQUInt16, "quint16", 2, false},
    {DType::kUInt16, "uint16", 2, false},
    {DType::kComplex128, "complex128", 16, false},
    {DType::kFloat16, "float16", 2, true},
    {DType::kResource, "resource", 0, false},
    {DType::kVariant, "variant", 0, false},
    {DType::kUInt32, "uint32", 4, false},
    {DType::kUInt64, "uint64", 8, false},
    {DType::kFloat8E5M2, "float8_e5m2", 1, true},
    {DType::kFloat8E4M3FN, "float8_e4m3fn", 1, true},
    {DType::kFloat8E4M3FNUZ, "float8_e4m3fnuz", 1, true},
    {DType::kFloat8E4M3B11FNUZ, "float8_e4m3b11fnuz", 1, true},
    {DType::kFloat8E5M2FNUZ, "float8_e5m2fnuz", 1, true},
    {DType::kInt4, "int4", 1, false},
    {DType::kUInt4, "uint4", 1, false},
    {DType::kInt2, "int2", 1, false},
    {DType::kUInt2, "uint2", 1, false},
    {DType::kFloat4E2M1FN, "float4_e2m1fn", 1, true},
}};

constexpr int32_t kRefOffset = 100;

const DTypeInfo* Lookup(DType dtype) {
  const int32_t v = DTypeValue(dtype);
  if (v < 1 || v > static_cast<int32_t>(kDTypes.size())) return nullptr;
  return &kDTypes[static_cast<size_t>(v - 1)];
}

}  // namespace

std::string DTypeName(DType dtype) {
  if (const DTypeInfo* info = Lookup(dtype)) return info->name;
  const int32_t v = DTypeValue(dtype);
  if (v > kRefOffset) {
    if (const DTypeInfo* base = Lookup(static_cast<DType>(v - kRefOffset))) {
      return std::string(base->name) + "_ref";
    }
  }
  return "dtype<" + std::to_string(v) + ">";
}

std::optional<DType> ParseDTypeName(std::string_view name) {
  if (name == "float" || name == "half" || name == "double") {
    return name == "float" ? DType::kFloat32 : name == "half" ? DType::kFloat16 : DType::kFloat64;
  }
  for (const DTypeInfo& info : kDTypes) {
    if (name == info.name) return info.dtype;
  }
  if (name.size() > 7 && name.substr(0, 6) == "dtype<" && name.back() == '>') {
    int32_t v = 0;
    const char* first = name.data() + 6;
    const char* last = name.data() + name.size() - 1;
    auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec == std::errc() && ptr == last) return static_cast<DType>(v);
  }
  return std::nullopt;
}

std::optional<uint32_t> DTypeElementSize(DType dtype) {
  const DTypeInfo* info = Lookup(dtype);
  if (info == nullptr || info->element_size == 0) return std::nullopt;
  return info->element_size;
}

bool IsFloatingDType(DType dtype) {
  const DTypeInfo* info = Lookup(dtype);
  return info != nullptr && info->floating;
}

bool IsComplexDType(DType dtype) {
  return dtype == DType::kComplex64 || dtype == DType::kComplex128;
}

bool IsKnownDType(DType dtype) { return Lookup(dtype) != nullptr; }

}  // namespace rescope
