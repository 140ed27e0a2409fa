// SPDX-License-Identifier: Apache-2.0
// numpy-style text of a tensor's values: what `print(np_array)` shows, read through
// windows of the entry's bytes (only the displayed elements are decoded).
//
// The rules are those of numpy's array2string (numpy >= 1.14 defaults; `str(a)`):
//   * summarize when the element count exceeds `threshold`: along every axis longer than
//     2 * edgeitems only the first and last `edgeitems` entries are shown, with "..."
//     between them; formatting widths are computed over the displayed elements only;
//   * nested brackets, rows separated by one newline per remaining axis, continuation
//     lines indented to the bracket depth, last-axis lines wrapped at `linewidth` (75);
//   * floats: one mode for the whole array. Scientific when the largest nonzero |value|
//     is >= 1e8, the smallest is < 1e-4, or their ratio > 1e3; positional otherwise.
//     Digits are the shortest that identify the value in its own dtype, at most
//     `precision` (8) after the point. Positional drops trailing zeros but keeps the '.'
//     ("2.", "0.5") and pads to align points; scientific gives every element as many
//     mantissa digits as the longest needs and a >= 2-digit exponent ("1.000e+03").
//     nan/inf/-inf are right-aligned;
//   * integers right-aligned to a common width; bool "True"/"False" (" True" inside
//     arrays, as numpy pads it); complex as real then signed imaginary + "j" ("1.+2.j");
//   * strings as Python bytes literals: b'abc', b"it's", b'\x00\n' (numpy prints
//     bytes_ arrays this way), not padded;
//   * a 0-d tensor prints its single element with the same rules ("2.", "1.e-08"), as
//     np.array2string does (not like Python's float repr); a tensor with no elements
//     prints "[]".
// bfloat16 and float8 tensors follow the float rules with shortest digits of their own
// format (numpy itself has no such dtypes; ml_dtypes varies by version).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

struct FormatOptions {
  bool full = false;  // never summarize
  uint64_t threshold = 1000;
  uint64_t edgeitems = 3;  // values below 1 act as 1
  int precision = 8;
  int64_t linewidth = 75;
};

// Errors: those of ElementReader/StringReader::Open (unknown dtype, missing or corrupt
// data) and of reading the displayed elements.
Result<std::string> FormatTensor(const TensorEntry& entry, const FormatOptions& options = {});

// Python's repr() of a bytes object: b'abc', b"it's", b'\x00\n'.
std::string BytesLiteral(std::string_view bytes);

}  // namespace rescope
