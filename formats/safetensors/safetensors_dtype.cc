// SPDX-License-Identifier: Apache-2.0
// Table of safetensors dtype names.
#include "formats/safetensors/safetensors_dtype.h"

#include <array>

namespace rescope::safetensors {
namespace {

// In the reference `Dtype` enum's declaration order (its derived Ord), so `rank` is the
// row number. FORMATS.md §6.2 and §6.4. These are all 22 types of safetensors 0.8.0
// (safetensors/src/tensor.rs `Dtype` and `bitsize`). The sub-byte types count elements in
// the shape, not bytes: F4 [1, 6] is 3 bytes (DType float4_e2m1fn_x2 counts the same way).
constexpr std::array<DtypeInfo, 22> kDtypes = {{
    {"BOOL", 8, 0, DType::kBool},
    {"F4", 4, 1, DType::kFloat4E2M1FNX2},
    {"F6_E2M3", 6, 2, DType::kFloat6E2M3FN},
    {"F6_E3M2", 6, 3, DType::kFloat6E3M2FN},
    {"U8", 8, 4, DType::kUInt8},
    {"I8", 8, 5, DType::kInt8},
    {"F8_E5M2", 8, 6, DType::kFloat8E5M2},
    {"F8_E4M3", 8, 7, DType::kFloat8E4M3FN},
    {"F8_E8M0", 8, 8, DType::kFloat8E8M0FNU},
    {"F8_E4M3FNUZ", 8, 9, DType::kFloat8E4M3FNUZ},
    {"F8_E5M2FNUZ", 8, 10, DType::kFloat8E5M2FNUZ},
    {"I16", 16, 11, DType::kInt16},
    {"U16", 16, 12, DType::kUInt16},
    {"F16", 16, 13, DType::kFloat16},
    {"BF16", 16, 14, DType::kBFloat16},
    {"I32", 32, 15, DType::kInt32},
    {"U32", 32, 16, DType::kUInt32},
    {"F32", 32, 17, DType::kFloat32},
    {"C64", 64, 18, DType::kComplex64},
    {"F64", 64, 19, DType::kFloat64},
    {"I64", 64, 20, DType::kInt64},
    {"U64", 64, 21, DType::kUInt64},
}};

}  // namespace

const DtypeInfo* FindDtypeByName(std::string_view name) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

const DtypeInfo* FindDtypeFor(DType dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.dtype == dtype) return &info;
  }
  return nullptr;
}

std::optional<uint64_t> DtypeByteSize(const DtypeInfo& info, uint64_t elements) {
  if (elements != 0 && elements > UINT64_MAX / info.bits) return std::nullopt;
  const uint64_t bits = elements * info.bits;
  if (bits % 8 != 0) return std::nullopt;
  return bits / 8;
}

}  // namespace rescope::safetensors
