// SPDX-License-Identifier: Apache-2.0
// Narrow float formats: bit-level decoding and rounding.
#include "core/values/small_floats.h"

#include <array>
#include <cmath>
#include <limits>

namespace rescope {
namespace {

// kIeee: infinities and NaNs at the top exponent; kFn: no infinities, S.1111.111 is NaN;
// kFnuz: no infinities or negative zero, 0x80 is NaN; kExponentOnly: no sign, no mantissa,
// no zero (float8_e8m0fnu: 2^(bits - 127), 0xff is NaN).
enum class Float8Kind { kIeee, kFn, kFnuz, kExponentOnly };

struct Float8Layout {
  int exp_bits;
  int mant_bits;
  int bias;
  Float8Kind kind;
};

std::optional<Float8Layout> Float8LayoutOf(DType dtype) {
  switch (dtype) {
    case DType::kFloat8E5M2:
      return Float8Layout{5, 2, 15, Float8Kind::kIeee};
    case DType::kFloat8E4M3FN:
      return Float8Layout{4, 3, 7, Float8Kind::kFn};
    case DType::kFloat8E4M3FNUZ:
      return Float8Layout{4, 3, 8, Float8Kind::kFnuz};
    case DType::kFloat8E4M3B11FNUZ:
      return Float8Layout{4, 3, 11, Float8Kind::kFnuz};
    case DType::kFloat8E5M2FNUZ:
      return Float8Layout{5, 2, 16, Float8Kind::kFnuz};
    case DType::kFloat8E8M0FNU:
      return Float8Layout{8, 0, 127, Float8Kind::kExponentOnly};
    default:
      return std::nullopt;
  }
}

double DecodeFloat8Bits(const Float8Layout& f, uint8_t bits) {
  if (f.kind == Float8Kind::kExponentOnly) {
    if (bits == 0xff) return std::numeric_limits<double>::quiet_NaN();
    return std::ldexp(1.0, static_cast<int>(bits) - f.bias);
  }
  const bool negative = (bits & 0x80) != 0;
  const int exp_field = (bits >> f.mant_bits) & ((1 << f.exp_bits) - 1);
  const int mant = bits & ((1 << f.mant_bits) - 1);
  const int exp_max = (1 << f.exp_bits) - 1;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (f.kind == Float8Kind::kFnuz && bits == 0x80) return nan;
  if (f.kind == Float8Kind::kIeee && exp_field == exp_max) {
    if (mant != 0) return nan;
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (f.kind == Float8Kind::kFn && exp_field == exp_max && mant == (1 << f.mant_bits) - 1) {
    return nan;
  }
  double magnitude;
  if (exp_field == 0) {
    magnitude = std::ldexp(mant, 1 - f.bias - f.mant_bits);
  } else {
    magnitude = std::ldexp(mant | (1 << f.mant_bits), exp_field - f.bias - f.mant_bits);
  }
  return negative ? -magnitude : magnitude;
}

using Float8Table = std::array<double, 256>;

Float8Table BuildFloat8Table(DType dtype) {
  Float8Table table{};
  const Float8Layout layout = *Float8LayoutOf(dtype);
  for (int i = 0; i < 256; ++i) table[i] = DecodeFloat8Bits(layout, static_cast<uint8_t>(i));
  return table;
}

}  // namespace

double DecodeFloat16(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exp = (bits >> 10) & 0x1fu;
  uint32_t mant = bits & 0x3ffu;
  uint32_t out;
  if (exp == 0x1f) {
    out = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    out = sign | ((exp + 112u) << 23) | (mant << 13);  // rebias 15 -> 127
  } else if (mant == 0) {
    out = sign;
  } else {
    // Subnormal: mant * 2^-24; normalize so the leading 1 lands in bit 10.
    uint32_t shift = 0;
    while ((mant & 0x400u) == 0) {
      mant <<= 1;
      ++shift;
    }
    out = sign | ((113u - shift) << 23) | ((mant & 0x3ffu) << 13);
  }
  return static_cast<double>(std::bit_cast<float>(out));
}

bool IsFloat8(DType dtype) { return Float8LayoutOf(dtype).has_value(); }

double DecodeFloat8(DType dtype, uint8_t bits) {
  // Tables built once each; decoding a window is then a lookup per element.
  static const Float8Table e5m2 = BuildFloat8Table(DType::kFloat8E5M2);
  static const Float8Table e4m3fn = BuildFloat8Table(DType::kFloat8E4M3FN);
  static const Float8Table e4m3fnuz = BuildFloat8Table(DType::kFloat8E4M3FNUZ);
  static const Float8Table e4m3b11 = BuildFloat8Table(DType::kFloat8E4M3B11FNUZ);
  static const Float8Table e5m2fnuz = BuildFloat8Table(DType::kFloat8E5M2FNUZ);
  static const Float8Table e8m0fnu = BuildFloat8Table(DType::kFloat8E8M0FNU);
  switch (dtype) {
    case DType::kFloat8E5M2:
      return e5m2[bits];
    case DType::kFloat8E4M3FN:
      return e4m3fn[bits];
    case DType::kFloat8E4M3FNUZ:
      return e4m3fnuz[bits];
    case DType::kFloat8E4M3B11FNUZ:
      return e4m3b11[bits];
    case DType::kFloat8E5M2FNUZ:
      return e5m2fnuz[bits];
    case DType::kFloat8E8M0FNU:
      return e8m0fnu[bits];
    default:
      return std::numeric_limits<double>::quiet_NaN();
  }
}

std::optional<FloatSpec> FloatSpecOf(DType dtype) {
  switch (dtype) {
    case DType::kFloat64:
      return FloatSpec{52, -1022, std::numeric_limits<double>::max(), true};
    case DType::kFloat32:
      return FloatSpec{23, -126, std::numeric_limits<float>::max(), true};
    case DType::kFloat16:
      return FloatSpec{10, -14, 65504.0, true};
    case DType::kBFloat16:
      return FloatSpec{7, -126, std::ldexp(255.0, 120), true};
    case DType::kFloat8E5M2:
      return FloatSpec{2, -14, 57344.0, true};
    case DType::kFloat8E4M3FN:
      return FloatSpec{3, -6, 448.0, false};
    case DType::kFloat8E4M3FNUZ:
      return FloatSpec{3, -7, 240.0, false};
    case DType::kFloat8E4M3B11FNUZ:
      return FloatSpec{3, -10, 30.0, false};
    case DType::kFloat8E5M2FNUZ:
      return FloatSpec{2, -15, 57344.0, false};
    case DType::kFloat8E8M0FNU:
      // Powers of two 2^-127 .. 2^127. Its lack of zero and of a sign does not matter for
      // the one use, finding the shortest decimal that rounds back to a stored value.
      return FloatSpec{0, -127, std::ldexp(1.0, 127), false};
    default:
      return std::nullopt;
  }
}

double RoundToFloatSpec(double value, const FloatSpec& spec) {
  if (!std::isfinite(value) || value == 0) return value;
  int exp = 0;
  (void)std::frexp(value, &exp);  // value = f * 2^exp, |f| in [0.5, 1)
  const int lead = std::max(exp - 1, spec.min_normal_exp);
  const int ulp_exp = lead - spec.mantissa_bits;
  // Scaling by a power of two is exact; nearbyint rounds ties to even.
  const double rounded = std::ldexp(std::nearbyint(std::ldexp(value, -ulp_exp)), ulp_exp);
  if (std::fabs(rounded) > spec.max_finite) {
    if (!spec.has_inf) return std::numeric_limits<double>::quiet_NaN();
    return std::copysign(std::numeric_limits<double>::infinity(), value);
  }
  return rounded;
}

}  // namespace rescope
