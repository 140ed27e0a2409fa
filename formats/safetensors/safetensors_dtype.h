// SPDX-License-Identifier: Apache-2.0
// The safetensors dtype names (FORMATS.md §6.2): element widths, the reference writer's
// ordering rank, and the mapping onto rescope's DType.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/store/dtype.h"

namespace rescope::safetensors {

struct DtypeInfo {
  std::string_view name;  // "F32", "BF16", "F8_E4M3", ...
  uint32_t bits;          // element width in bits (4 and 6 for the sub-byte float types)
  // Position in the reference implementation's `Dtype` enum. Its writer puts tensors of a
  // higher rank first (FORMATS.md §6.4).
  int rank;
  // The DType this name maps to (every safetensors type has one).
  DType dtype;
};

// Looks a safetensors dtype name up (case-sensitive, exactly as written in headers).
// Returns nullptr for names the format does not define.
const DtypeInfo* FindDtypeByName(std::string_view name);

// The safetensors type a DType is written as, or nullptr when the format cannot carry it
// (string, variant, resource, quantized types, complex128, int4/uint4, ...).
const DtypeInfo* FindDtypeFor(DType dtype);

// Bytes taken by `elements` elements of `info`, or nullopt when that overflows or is not a
// whole number of bytes (sub-byte types with an odd bit count).
std::optional<uint64_t> DtypeByteSize(const DtypeInfo& info, uint64_t elements);

}  // namespace rescope::safetensors
