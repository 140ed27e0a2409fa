// SPDX-License-Identifier: Apache-2.0
// Tests of numpy-style value text (core/value_format) and values JSON (core/value_json).
// Expected strings are what numpy's str(array) prints for the same arrays.
#include "core/values/value_format.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/values/value_json.h"
#include "tests/unit/value_test_util.h"

using namespace rescope;
using namespace rescope::testing;

namespace {

std::string Fmt(const TensorEntry& e, FormatOptions o = {}) {
  Result<std::string> r = FormatTensor(e, o);
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return *r;
}

template <typename T>
TensorEntry Arange(DType dtype, std::vector<int64_t> shape) {
  std::vector<T> v(static_cast<size_t>(*ShapeNumElements(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(i);
  return MakeEntry("a", dtype, std::move(shape), LEBytes(v));
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

}  // namespace

TEST_CASE("format: floats like numpy") {
  CHECK(Fmt(MakeEntry("x", DType::kFloat32, {2, 2}, LEBytes<float>({1, 2, 3, 4}))) ==
        "[[1. 2.]\n [3. 4.]]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {2}, LEBytes<double>({0.5, 2}))) == "[0.5 2. ]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat32, {2}, LEBytes<float>({0.1f, 0.2f}))) == "[0.1 0.2]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {2}, LEBytes<double>({-1.5, 10}))) == "[-1.5 10. ]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {2}, LEBytes<double>({1e-8, 1}))) == "[1.e-08 1.e+00]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {2}, LEBytes<double>({1.5e-5, 1}))) ==
        "[1.5e-05 1.0e+00]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {3}, LEBytes<double>({kNaN, 1, -kInf}))) ==
        "[ nan   1. -inf]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {2}, LEBytes<double>({kNaN, kInf}))) == "[nan inf]");
  // More than 8 fractional digits: rounded at 8, trailing zeros dropped.
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {2}, LEBytes<double>({0.1 + 0.2, 1.0 / 3}))) ==
        "[0.3        0.33333333]");
  CHECK(Fmt(MakeEntry("x", DType::kFloat16, {2}, LEBytes<uint16_t>({0x3555, 0x3c00}))) ==
        "[0.3333 1.    ]");
}

TEST_CASE("format: scalars print bare") {
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {}, LEBytes<double>({0.5}))) == "0.5");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {}, LEBytes<double>({2}))) == "2.");
  CHECK(Fmt(MakeEntry("x", DType::kFloat64, {}, LEBytes<double>({1e-8}))) == "1.e-08");
  CHECK(Fmt(MakeEntry("x", DType::kFloat32, {}, LEBytes<float>({NAN}))) == "nan");
  CHECK(Fmt(MakeEntry("x", DType::kInt64, {}, LEBytes<int64_t>({-7}))) == "-7");
  CHECK(Fmt(MakeEntry("x", DType::kBool, {}, {1})) == "True");
  CHECK(Fmt(MakeEntry("x", DType::kString, {}, StringTensorBytes({"hi"}))) == "b'hi'");
  CHECK(Fmt(MakeEntry("x", DType::kFloat32, {0, 3}, {})) == "[]");
}

TEST_CASE("format: integers, bool, complex, strings") {
  CHECK(Fmt(MakeEntry("x", DType::kInt32, {3}, LEBytes<int32_t>({1, -10, 100}))) ==
        "[  1 -10 100]");
  CHECK(Fmt(MakeEntry("x", DType::kUInt64, {1}, LEBytes<uint64_t>({UINT64_MAX}))) ==
        "[18446744073709551615]");
  CHECK(Fmt(MakeEntry("x", DType::kBool, {2}, {1, 0})) == "[ True False]");
  CHECK(Fmt(MakeEntry("x", DType::kComplex64, {2}, LEBytes<float>({1, 2, 3, -4.5}))) ==
        "[1.+2.j  3.-4.5j]");
  CHECK(Fmt(MakeEntry("x", DType::kString, {3},
                      StringTensorBytes({"ab", "it's", std::string("\0\n\xff", 3)}))) ==
        "[b'ab' b\"it's\" b'\\x00\\n\\xff']");
}

TEST_CASE("format: summarization and line wrapping") {
  // np.arange(2000.)
  CHECK(Fmt(Arange<double>(DType::kFloat64, {2000})) ==
        "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]");
  // np.arange(1001)
  CHECK(Fmt(Arange<int64_t>(DType::kInt64, {1001})) == "[   0    1    2 ...  998  999 1000]");
  // np.arange(1010).reshape(101, 10)
  CHECK(Fmt(Arange<int32_t>(DType::kInt32, {101, 10})) ==
        "[[   0    1    2 ...    7    8    9]\n"
        " [  10   11   12 ...   17   18   19]\n"
        " [  20   21   22 ...   27   28   29]\n"
        " ...\n"
        " [ 980  981  982 ...  987  988  989]\n"
        " [ 990  991  992 ...  997  998  999]\n"
        " [1000 1001 1002 ... 1007 1008 1009]]");
  // np.arange(1001).reshape(7, 11, 13): every axis summarized, blank line between blocks.
  const std::string cube = Fmt(Arange<int16_t>(DType::kInt16, {7, 11, 13}));
  CHECK(cube.substr(0, 37) == "[[[   0    1    2 ...   10   11   12]");
  CHECK(cube.find("\n\n ...\n\n") != std::string::npos);
  CHECK(cube.ends_with("\n  [ 988  989  990 ...  998  999 1000]]]"));
  // np.arange(30.): wraps at 75 columns, continuation indented by one space.
  CHECK(Fmt(Arange<double>(DType::kFloat64, {30})) ==
        "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n"
        " 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]");
  FormatOptions full;
  full.full = true;
  const std::string all = Fmt(Arange<int64_t>(DType::kInt64, {1001}), full);
  CHECK(all.find("...") == std::string::npos);
  CHECK(all.find(" 500 ") != std::string::npos);
  FormatOptions small;
  small.threshold = 4;
  small.edgeitems = 1;
  CHECK(Fmt(Arange<int32_t>(DType::kInt32, {5}), small) == "[0 ... 4]");
}

TEST_CASE("format: errors") {
  CHECK(FormatTensor(MakeEntry("x", static_cast<DType>(77), {1}, {0})).status().message() ==
        "tensor \"x\": dtype<77>: cannot decode values");
}

TEST_CASE("values json: flat, row-major, exact") {
  auto j = ValuesToJson(
      MakeEntry("x", DType::kFloat32, {2, 2}, LEBytes<float>({0.1f, NAN, -INFINITY, 2})));
  REQUIRE(j.ok());
  CHECK(j->dump() == "[0.1,\"nan\",\"-inf\",2.0]");
  const int64_t big = (int64_t{1} << 53) + 1;
  CHECK(ValuesToJson(MakeEntry("x", DType::kInt64, {2}, LEBytes<int64_t>({big, -3})))->dump() ==
        "[9007199254740993,-3]");
  CHECK(ValuesToJson(MakeEntry("x", DType::kBool, {2}, {0, 1}))->dump() == "[false,true]");
  CHECK(ValuesToJson(MakeEntry("x", DType::kComplex64, {1}, LEBytes<float>({1, -0.5f})))->dump() ==
        "[[1.0,-0.5]]");
  CHECK(ValuesToJson(MakeEntry("x", DType::kString, {2}, StringTensorBytes({"h\xc3\xa9", "\xff"})))
            ->dump() == "[\"h\xc3\xa9\",{\"hex\":\"ff\"}]");
}
