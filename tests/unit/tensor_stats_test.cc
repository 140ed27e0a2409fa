// SPDX-License-Identifier: Apache-2.0
// ComputeStats across many windows and on sums that overflow (core/tensor_stats): expected
// figures are computed by hand (closed forms), not taken from rescope.
#include "core/values/tensor_stats.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "tests/unit/value_test_util.h"

using namespace rescope;
using namespace rescope::testing;

TEST_CASE("stats: windows merge to the closed-form mean and std") {
  // 0..99999 as float64: 3+ windows of 32768; mean 49999.5, variance (n^2 - 1) / 12.
  std::vector<double> v(100000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  const TensorEntry e = MakeEntry("r", DType::kFloat64, {100000}, LEBytes<double>(v));
  auto st = ComputeStats(e);
  REQUIRE(st.ok());
  CHECK(st->count == 100000);
  CHECK(st->min == 0.0);
  CHECK(st->max == 99999.0);
  CHECK(st->zero_count == 1);
  CHECK(st->mean == doctest::Approx(49999.5).epsilon(1e-15));
  CHECK(st->std == doctest::Approx(std::sqrt((1e10 - 1) / 12)).epsilon(1e-14));
}

TEST_CASE("stats: a window whose sum overflows still gives a finite mean") {
  // 1000 elements of 1e308: their plain sum overflows; mean 1e308, std 0.
  const std::vector<double> v(1000, 1e308);
  const TensorEntry e = MakeEntry("big", DType::kFloat64, {1000}, LEBytes<double>(v));
  auto st = ComputeStats(e);
  REQUIRE(st.ok());
  CHECK(st->finite_count == 1000);
  CHECK(st->mean == 1e308);
  CHECK(st->std == 0.0);
}
