// SPDX-License-Identifier: Apache-2.0
// Shortest round-trip decimal text for floating values of any floating dtype, in the
// pieces numpy's array printer assembles (integer part, fraction, exponent).
//
// "Shortest" is relative to the value's own dtype: a float32 0.1 prints as 0.1, a
// bfloat16 0.1 (exactly 0.10009765625) as 0.1001. All functions take the value decoded
// to double (exact for every floating dtype) plus the dtype it came from.
#pragma once

#include <string>

#include "core/store/dtype.h"

namespace rescope {

// value = (negative ? -1 : 1) * digits[0].digits[1..] * 10^exponent.
struct DecimalDigits {
  bool negative = false;
  std::string digits;  // no leading or trailing zeros, except "0" for zero
  int exponent = 0;
};

// Fewest significant digits that read back (round to nearest even) to `value` in the
// format of `dtype`. REQUIRES: value finite; dtype floating (others act as float64).
DecimalDigits ShortestDigits(double value, DType dtype);

// A finite value split the way numpy's dragon4 prints it.
//   int_part:  sign ("-", or "+" when plus_sign and not negative) and integer digits
//   frac_part: digits after the '.' (the '.' itself is always printed)
//   exp_part:  "e+05" style, scientific only
struct FloatText {
  std::string int_part;
  std::string frac_part;
  std::string exp_part;
};

// Positional: shortest digits, but at most `precision` fractional digits (then rounded).
FloatText PositionalText(double value, DType dtype, int precision, bool plus_sign);
// Scientific: shortest digits with at most `precision` digits after the point, exponent
// zero-padded to at least `exp_digits` digits.
FloatText ScientificText(double value, DType dtype, int precision, bool plus_sign, int exp_digits);

// Python-repr-like text used in messages and reports: "0.5", "2.0", "1e-08", "1.5e+20",
// "nan", "inf", "-inf" (positional for 1e-4 <= |v| < 1e16, scientific otherwise).
std::string ShortestText(double value, DType dtype);

// The double nearest to the shortest decimal of `value` in `dtype` (so a float32 0.1
// becomes the double 0.1 and serializes as "0.1"). Non-finite values pass through.
double ShortestAsDouble(double value, DType dtype);

}  // namespace rescope
