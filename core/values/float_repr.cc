// SPDX-License-Identifier: Apache-2.0
// Shortest decimal digits and numpy-style positional/scientific pieces.
#include "core/values/float_repr.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/values/small_floats.h"

namespace rescope {
namespace {

// Parses to_chars/printf scientific output "d.ddde[+-]xx" into digits and exponent.
DecimalDigits ParseScientific(std::string_view text, bool negative) {
  DecimalDigits out;
  out.negative = negative;
  const size_t e = text.find('e');
  for (char c : text.substr(0, e)) {
    if (c != '.') out.digits += c;
  }
  out.exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  while (out.digits.size() > 1 && out.digits.back() == '0') out.digits.pop_back();
  if (out.digits == "0") out.exponent = 0;
  return out;
}

DecimalDigits ShortestNative(double magnitude, bool negative, bool as_float) {
  char buf[64];
  const auto res =
      as_float ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(magnitude),
                               std::chars_format::scientific)
               : std::to_chars(buf, buf + sizeof(buf), magnitude, std::chars_format::scientific);
  return ParseScientific(std::string_view(buf, static_cast<size_t>(res.ptr - buf)), negative);
}

// Narrow formats: try 1, 2, ... significant digits. The correctly rounded p-digit decimal
// and its two neighbours are the only p-digit candidates that can land in the value's
// rounding interval (which is lopsided at powers of two), so test all three.
DecimalDigits ShortestNarrow(double magnitude, bool negative, const FloatSpec& spec) {
  for (int p = 1; p <= 17; ++p) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*e", p - 1, magnitude);
    const DecimalDigits base = ParseScientific(buf, negative);
    std::string padded = base.digits;
    padded.resize(static_cast<size_t>(p), '0');
    const uint64_t mantissa = std::strtoull(padded.c_str(), nullptr, 10);
    const int scale = base.exponent - (p - 1);
    bool found = false;
    double best_err = 0;
    uint64_t best = 0;
    for (uint64_t m : {mantissa, mantissa + 1, mantissa - 1}) {
      if (m == 0) continue;
      const std::string text = std::to_string(m) + "e" + std::to_string(scale);
      const double parsed = std::strtod(text.c_str(), nullptr);
      if (RoundToFloatSpec(parsed, spec) != magnitude) continue;
      const double err = std::fabs(parsed - magnitude);
      if (!found || err < best_err) {
        found = true;
        best_err = err;
        best = m;
      }
    }
    if (found) {
      const std::string text = std::to_string(best);
      DecimalDigits out;
      out.negative = negative;
      out.digits = text;
      out.exponent = scale + static_cast<int>(text.size()) - 1;
      while (out.digits.size() > 1 && out.digits.back() == '0') out.digits.pop_back();
      return out;
    }
  }
  return ShortestNative(magnitude, negative, false);
}

std::string SignText(bool negative, bool plus_sign) {
  if (negative) return "-";
  return plus_sign ? "+" : "";
}

std::string ExponentText(int exponent, int exp_digits) {
  std::string digits = std::to_string(exponent < 0 ? -exponent : exponent);
  if (static_cast<int>(digits.size()) < exp_digits) {
    digits.insert(0, static_cast<size_t>(exp_digits) - digits.size(), '0');
  }
  return std::string("e") + (exponent < 0 ? "-" : "+") + digits;
}

void StripTrailingZeros(std::string& s) {
  while (!s.empty() && s.back() == '0') s.pop_back();
}

}  // namespace

DecimalDigits ShortestDigits(double value, DType dtype) {
  const bool negative = std::signbit(value);
  const double magnitude = std::fabs(value);
  if (magnitude == 0) return DecimalDigits{negative, "0", 0};
  if (dtype == DType::kFloat32) return ShortestNative(magnitude, negative, true);
  const std::optional<FloatSpec> spec = FloatSpecOf(dtype);
  if (!spec || dtype == DType::kFloat64) return ShortestNative(magnitude, negative, false);
  return ShortestNarrow(magnitude, negative, *spec);
}

FloatText PositionalText(double value, DType dtype, int precision, bool plus_sign) {
  const DecimalDigits d = ShortestDigits(value, dtype);
  FloatText out;
  const int n = static_cast<int>(d.digits.size());
  if (n - 1 - d.exponent > precision) {
    // More fractional digits than allowed: round the exact value at the cut-off.
    char buf[400];
    std::snprintf(buf, sizeof(buf), "%.*f", precision, std::fabs(value));
    const std::string_view text(buf);
    const size_t dot = text.find('.');
    out.int_part = SignText(d.negative, plus_sign) + std::string(text.substr(0, dot));
    out.frac_part = dot == std::string_view::npos ? "" : std::string(text.substr(dot + 1));
    StripTrailingZeros(out.frac_part);
    return out;
  }
  std::string int_digits;
  if (d.exponent < 0) {
    int_digits = "0";
    out.frac_part = std::string(static_cast<size_t>(-d.exponent - 1), '0') + d.digits;
  } else if (d.exponent + 1 >= n) {
    int_digits = d.digits + std::string(static_cast<size_t>(d.exponent + 1 - n), '0');
  } else {
    int_digits = d.digits.substr(0, static_cast<size_t>(d.exponent + 1));
    out.frac_part = d.digits.substr(static_cast<size_t>(d.exponent + 1));
  }
  if (d.digits == "0") out.frac_part.clear();
  out.int_part = SignText(d.negative, plus_sign) + int_digits;
  return out;
}

FloatText ScientificText(double value, DType dtype, int precision, bool plus_sign, int exp_digits) {
  DecimalDigits d = ShortestDigits(value, dtype);
  if (static_cast<int>(d.digits.size()) - 1 > precision) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.*e", precision, std::fabs(value));
    d = ParseScientific(buf, d.negative);
  }
  FloatText out;
  out.int_part = SignText(d.negative, plus_sign) + d.digits.substr(0, 1);
  out.frac_part = d.digits.substr(1);
  out.exp_part = ExponentText(d.exponent, exp_digits);
  return out;
}

std::string ShortestText(double value, DType dtype) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  const double magnitude = std::fabs(value);
  if (magnitude == 0 || (magnitude >= 1e-4 && magnitude < 1e16)) {
    const FloatText t = PositionalText(value, dtype, 400, false);
    return t.int_part + "." + (t.frac_part.empty() ? "0" : t.frac_part);
  }
  const DecimalDigits d = ShortestDigits(value, dtype);
  std::string out = d.negative ? "-" : "";
  out += d.digits.substr(0, 1);
  if (d.digits.size() > 1) out += "." + d.digits.substr(1);
  return out + ExponentText(d.exponent, 2);
}

double ShortestAsDouble(double value, DType dtype) {
  if (!std::isfinite(value) || dtype == DType::kFloat64) return value;
  const DecimalDigits d = ShortestDigits(value, dtype);
  const std::string text = (d.negative ? "-" : "") + d.digits + "e" +
                           std::to_string(d.exponent - static_cast<int>(d.digits.size()) + 1);
  return std::strtod(text.c_str(), nullptr);
}

}  // namespace rescope
