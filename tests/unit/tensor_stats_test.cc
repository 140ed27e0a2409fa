// SPDX-License-Identifier: Apache-2.0
// ComputeStats across many windows and on sums that overflow (core/tensor_stats): expected
// figures are computed by hand (closed forms), not taken from rescope; float32 values
// (read as float32) must give exactly the figures of the same values read as float64.
#include "core/values/tensor_stats.h"

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <vector>

#include "core/values/ggml_dequant.h"
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

namespace {

// Bit-for-bit equality of two results (== would let -0.0 pass for 0.0).
void CheckSameStats(const TensorStats& x, const TensorStats& y) {
  CHECK(x.count == y.count);
  CHECK(x.finite_count == y.finite_count);
  CHECK(x.nan_count == y.nan_count);
  CHECK(x.inf_count == y.inf_count);
  CHECK(x.zero_count == y.zero_count);
  CHECK(std::bit_cast<uint64_t>(x.min) == std::bit_cast<uint64_t>(y.min));
  CHECK(std::bit_cast<uint64_t>(x.max) == std::bit_cast<uint64_t>(y.max));
  CHECK(std::bit_cast<uint64_t>(x.mean) == std::bit_cast<uint64_t>(y.mean));
  CHECK(std::bit_cast<uint64_t>(x.std) == std::bit_cast<uint64_t>(y.std));
}

// The statistics of float32 values read as float32 (the fast path) and of the same values
// widened into a float64 tensor (read as doubles) must be identical.
void CheckFloat32PathMatchesDouble(const TensorEntry& f32, const std::vector<float>& values) {
  const std::vector<double> widened(values.begin(), values.end());
  const TensorEntry f64 = MakeEntry("d", DType::kFloat64, f32.shape, LEBytes<double>(widened));
  auto fast = ComputeStats(f32);
  auto wide = ComputeStats(f64);
  REQUIRE(fast.ok());
  REQUIRE(wide.ok());
  CheckSameStats(*fast, *wide);
}

}  // namespace

TEST_CASE("stats: float32 and GGML blocks give the figures of their float64 widening") {
  // 100003 values over 4 windows: 0.0 first so the zero signs meet in min/max ties, -0.0
  // and zeros scattered, a large offset so cancellation would show, NaN and +-inf in the
  // third window only (it takes the general path, the others the finite one).
  std::vector<float> v(100003);
  uint32_t state = 12345;
  for (size_t i = 0; i < v.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    v[i] = 1000.0f + static_cast<float>(static_cast<int32_t>(state >> 8) % 20000) / 64.0f;
    if (i % 97 == 0) v[i] = 0.0f;
    if (i % 89 == 0) v[i] = -0.0f;
  }
  v[0] = 0.0f;
  v[70000] = std::numeric_limits<float>::quiet_NaN();
  v[70001] = std::numeric_limits<float>::infinity();
  v[70002] = -std::numeric_limits<float>::infinity();
  const TensorEntry f32 = MakeEntry("f", DType::kFloat32, {100003}, LEBytes<float>(v));
  CheckFloat32PathMatchesDouble(f32, v);
  auto st = ComputeStats(f32);
  REQUIRE(st.ok());
  CHECK(st->nan_count == 1);
  CHECK(st->inf_count == 2);

  // Q8_0 blocks (34 bytes: float16 scale, 32 int8): 5000 blocks = 160000 elements.
  const size_t blocks = 5000;
  std::vector<uint8_t> q(blocks * 34);
  for (size_t k = 0; k < blocks; ++k) {
    const uint16_t scale = static_cast<uint16_t>(0x2000 + (k % 512));  // finite, positive
    q[k * 34] = static_cast<uint8_t>(scale & 0xff);
    q[k * 34 + 1] = static_cast<uint8_t>(scale >> 8);
    for (size_t j = 0; j < 32; ++j) {
      state = state * 1664525u + 1013904223u;
      q[k * 34 + 2 + j] = static_cast<uint8_t>(state >> 24);
    }
  }
  std::vector<float> dequantized(blocks * 32);
  GgmlDequantizer(DType::kGgmlQ8_0)(q.data(), blocks, dequantized.data());
  const TensorEntry blk = MakeEntry("q", DType::kGgmlQ8_0, {static_cast<int64_t>(blocks * 32)}, q);
  CheckFloat32PathMatchesDouble(blk, dequantized);
}
