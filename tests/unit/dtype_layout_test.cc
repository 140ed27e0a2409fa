// SPDX-License-Identifier: Apache-2.0
// Block layouts of the packed and GGML block types (core/store/dtype.h). The expected sizes are
// hand calculations from the block structs of ggml-common.h (QK_K = 256), not rescope output.
#include <doctest/doctest.h>

#include "core/store/dtype.h"

namespace rescope {
namespace {

TEST_CASE("GGML block sizes follow ggml's block structs") {
  // block_q4_0: ggml_half d; uint8_t qs[16]
  CHECK(DTypeStoredBytes(DType::kGgmlQ4_0, 64) == 2 * 18);
  // block_q8_0: ggml_half d; int8_t qs[32]
  CHECK(DTypeStoredBytes(DType::kGgmlQ8_0, 32) == 34);
  // block_q4_K: d, dmin (2 halves); scales[12]; qs[128]
  CHECK(DTypeStoredBytes(DType::kGgmlQ4_K, 512) == 2 * 144);
  // block_q6_K: ql[128]; qh[64]; int8 scales[16]; ggml_half d
  CHECK(DTypeStoredBytes(DType::kGgmlQ6_K, 256) == 210);
  // block_q2_K: scales[16]; qs[64]; d, dmin
  CHECK(DTypeStoredBytes(DType::kGgmlQ2_K, 256) == 84);
}

TEST_CASE("a count that is not a whole number of blocks has no stored size") {
  CHECK_FALSE(DTypeStoredBytes(DType::kGgmlQ4_0, 100).has_value());
  CHECK_FALSE(DTypeStoredBytes(DType::kFloat4E2M1FNX2, 3).has_value());
  CHECK_FALSE(DTypeStoredBytes(DType::kFloat6E2M3FN, 6).has_value());
  CHECK(DTypeStoredBytes(DType::kFloat4E2M1FNX2, 4) == 2);
  CHECK(DTypeStoredBytes(DType::kFloat6E3M2FN, 8) == 6);
}

TEST_CASE("stored sizes of dense types and overflow") {
  CHECK(DTypeStoredBytes(DType::kFloat32, 10) == 40);
  CHECK(DTypeStoredBytes(DType::kFloat8E8M0FNU, 7) == 7);
  CHECK(DTypeElementSize(DType::kFloat8E8M0FNU) == 1u);
  CHECK_FALSE(DTypeElementSize(DType::kGgmlQ4_0).has_value());
  CHECK_FALSE(DTypeStoredBytes(DType::kFloat64, UINT64_MAX / 4).has_value());
  CHECK_FALSE(DTypeStoredBytes(DType::kString, 1).has_value());
}

TEST_CASE("names of the non-TF types round-trip and stay out of TF's range") {
  for (DType d : {DType::kGgmlQ4_K, DType::kGgmlIQ2_XXS, DType::kFloat4E2M1FNX2,
                  DType::kFloat8E8M0FNU, DType::kGgmlMXFP4}) {
    CHECK(ParseDTypeName(DTypeName(d)) == d);
    CHECK(IsKnownDType(d));
  }
  CHECK(DTypeName(DType::kGgmlQ4_K) == "q4_k");
  CHECK(IsGgmlBlockDType(DType::kGgmlQ8_0));
  CHECK_FALSE(IsGgmlBlockDType(DType::kFloat4E2M1FNX2));
  CHECK_FALSE(IsGgmlBlockDType(DType::kFloat32));
  CHECK(DTypeName(static_cast<DType>(2001)) == "dtype<2001>");
}

}  // namespace
}  // namespace rescope
