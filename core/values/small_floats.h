// SPDX-License-Identifier: Apache-2.0
// Exact decoding of the narrow floating formats (float16, bfloat16, float8 variants) and
// round-to-nearest-even into them, so values can be decoded to double and printed with
// the shortest decimal that identifies them in their own type.
//
// Every narrow format value is exactly representable as a double, so decoding loses
// nothing. Layouts: float16 = IEEE binary16; bfloat16 = upper 16 bits of a binary32;
// float8 formats as defined by ml_dtypes/OCP ("fn" = no infinities, S.1111.111 is NaN;
// "fnuz" = no infinities, no negative zero, 0x80 is the only NaN; float8_e8m0fnu = an
// unsigned 8-bit exponent, 2^(bits - 127), 0xff is NaN, no zero).
#pragma once

#include <bit>
#include <cstdint>
#include <optional>

#include "core/store/dtype.h"

namespace rescope {

// IEEE binary16, subnormals, infinities and NaN (payload kept as a quiet NaN).
double DecodeFloat16(uint16_t bits);

// bfloat16: the 16 bits are the upper half of a binary32.
inline double DecodeBFloat16(uint16_t bits) {
  return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(bits) << 16));
}

// One of the float8 dtypes (kFloat8E5M2 .. kFloat8E5M2FNUZ, kFloat8E8M0FNU).
// REQUIRES: IsFloat8(dtype).
double DecodeFloat8(DType dtype, uint8_t bits);
bool IsFloat8(DType dtype);

// Parameters of a binary floating format with `mantissa_bits` stored fraction bits.
struct FloatSpec {
  int mantissa_bits = 52;
  int min_normal_exp = -1022;  // unbiased exponent of the smallest normal
  double max_finite = 0;
  bool has_inf = true;
};

// The format of a floating dtype (float16/32/64, bfloat16, float8 variants); nullopt for
// anything else.
std::optional<FloatSpec> FloatSpecOf(DType dtype);

// Rounds a double to the nearest value of `spec` (ties to even), returning it as a double.
// Overflow gives +-inf, or NaN for formats without infinities.
double RoundToFloatSpec(double value, const FloatSpec& spec);

}  // namespace rescope
