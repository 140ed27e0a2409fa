// SPDX-License-Identifier: Apache-2.0
// Names and sizes of DType values.
#include "core/store/dtype.h"

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

// Types that are not TF DataTypes (dtype.h): packed sub-byte floats and GGML's blocks.
struct BlockTypeInfo {
  DType dtype;
  const char* name;
  uint32_t block_elements;
  uint32_t block_bytes;
  bool floating;  // elements decode one by one to floats (not the GGML block types)
};

// GGML block sizes as ggml-common.h defines them (QK_K = 256); tests/unit/dtype_test.cc and
// the GGUF judge compare them with the gguf package's GGML_QUANT_SIZES.
constexpr std::array<BlockTypeInfo, 30> kBlockTypes = {{
    {DType::kFloat8E8M0FNU, "float8_e8m0fnu", 1, 1, true},
    {DType::kFloat6E2M3FN, "float6_e2m3fn", 4, 3, false},
    {DType::kFloat6E3M2FN, "float6_e3m2fn", 4, 3, false},
    {DType::kFloat4E2M1FNX2, "float4_e2m1fn_x2", 2, 1, false},
    {DType::kGgmlQ4_0, "q4_0", 32, 2 + 16, false},
    {DType::kGgmlQ4_1, "q4_1", 32, 2 + 2 + 16, false},
    {DType::kGgmlQ5_0, "q5_0", 32, 2 + 4 + 16, false},
    {DType::kGgmlQ5_1, "q5_1", 32, 2 + 2 + 4 + 16, false},
    {DType::kGgmlQ8_0, "q8_0", 32, 2 + 32, false},
    {DType::kGgmlQ8_1, "q8_1", 32, 4 + 4 + 32, false},
    {DType::kGgmlQ2_K, "q2_k", 256, 2 + 2 + 256 / 16 + 256 / 4, false},
    {DType::kGgmlQ3_K, "q3_k", 256, 2 + 256 / 4 + 256 / 8 + 12, false},
    {DType::kGgmlQ4_K, "q4_k", 256, 2 + 2 + 256 / 2 + 12, false},
    {DType::kGgmlQ5_K, "q5_k", 256, 2 + 2 + 256 / 2 + 256 / 8 + 12, false},
    {DType::kGgmlQ6_K, "q6_k", 256, 2 + 256 / 2 + 256 / 4 + 256 / 16, false},
    {DType::kGgmlQ8_K, "q8_k", 256, 4 + 256 + 256 / 8, false},
    {DType::kGgmlIQ2_XXS, "iq2_xxs", 256, 2 + 256 / 4, false},
    {DType::kGgmlIQ2_XS, "iq2_xs", 256, 2 + 256 / 4 + 256 / 32, false},
    {DType::kGgmlIQ3_XXS, "iq3_xxs", 256, 2 + 256 / 4 + 256 / 8, false},
    {DType::kGgmlIQ1_S, "iq1_s", 256, 2 + 256 / 8 + 256 / 16, false},
    {DType::kGgmlIQ4_NL, "iq4_nl", 32, 2 + 16, false},
    {DType::kGgmlIQ3_S, "iq3_s", 256, 2 + 256 / 4 + 256 / 8 + 256 / 32 + 4, false},
    {DType::kGgmlIQ2_S, "iq2_s", 256, 2 + 256 / 4 + 256 / 16, false},
    {DType::kGgmlIQ4_XS, "iq4_xs", 256, 2 + 2 + 256 / 2 + 256 / 64, false},
    {DType::kGgmlIQ1_M, "iq1_m", 256, 256 / 8 + 256 / 16 + 256 / 32, false},
    {DType::kGgmlTQ1_0, "tq1_0", 256, 2 + 4 * 13, false},
    {DType::kGgmlTQ2_0, "tq2_0", 256, 2 + 64, false},
    {DType::kGgmlMXFP4, "mxfp4", 32, 1 + 16, false},
    {DType::kGgmlNVFP4, "nvfp4", 64, 4 + 32, false},
    {DType::kGgmlQ1_0, "q1_0", 128, 2 + 16, false},
}};

constexpr int32_t kRefOffset = 100;

const DTypeInfo* Lookup(DType dtype) {
  const int32_t v = DTypeValue(dtype);
  if (v < 1 || v > static_cast<int32_t>(kDTypes.size())) return nullptr;
  return &kDTypes[static_cast<size_t>(v - 1)];
}

const BlockTypeInfo* LookupBlockType(DType dtype) {
  for (const BlockTypeInfo& info : kBlockTypes) {
    if (info.dtype == dtype) return &info;
  }
  return nullptr;
}

}  // namespace

std::string DTypeName(DType dtype) {
  if (const DTypeInfo* info = Lookup(dtype)) return info->name;
  if (const BlockTypeInfo* info = LookupBlockType(dtype)) return info->name;
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
  for (const BlockTypeInfo& info : kBlockTypes) {
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
  // TF's types first: an index, where the block types are a search (this runs per entry
  // when an index is opened). The two tables' values do not overlap (dtype.h).
  if (const DTypeInfo* info = Lookup(dtype)) {
    if (info->element_size == 0) return std::nullopt;
    return info->element_size;
  }
  if (const BlockTypeInfo* block = LookupBlockType(dtype)) {
    if (block->block_elements == 1) return block->block_bytes;  // float8_e8m0fnu
    return std::nullopt;
  }
  const DTypeInfo* info = Lookup(dtype);
  if (info == nullptr || info->element_size == 0) return std::nullopt;
  return info->element_size;
}

std::optional<DTypeBlockLayout> DTypeBlock(DType dtype) {
  if (std::optional<uint32_t> size = DTypeElementSize(dtype)) return DTypeBlockLayout{1, *size};
  if (const BlockTypeInfo* info = LookupBlockType(dtype)) {
    return DTypeBlockLayout{info->block_elements, info->block_bytes};
  }
  return std::nullopt;
}

std::optional<uint64_t> DTypeStoredBytes(DType dtype, uint64_t num_elements) {
  const std::optional<DTypeBlockLayout> block = DTypeBlock(dtype);
  if (!block || num_elements % block->block_elements != 0) return std::nullopt;
  const uint64_t blocks = num_elements / block->block_elements;
  if (blocks > UINT64_MAX / block->block_bytes) return std::nullopt;
  return blocks * block->block_bytes;
}

bool IsGgmlBlockDType(DType dtype) {
  return DTypeValue(dtype) > kGgmlTypeBase && LookupBlockType(dtype) != nullptr;
}

bool IsFloatingDType(DType dtype) {
  if (const BlockTypeInfo* info = LookupBlockType(dtype)) return info->floating;
  const DTypeInfo* info = Lookup(dtype);
  return info != nullptr && info->floating;
}

bool IsComplexDType(DType dtype) {
  return dtype == DType::kComplex64 || dtype == DType::kComplex128;
}

bool IsKnownDType(DType dtype) {
  return Lookup(dtype) != nullptr || LookupBlockType(dtype) != nullptr;
}

}  // namespace rescope
