// SPDX-License-Identifier: Apache-2.0
// Summary statistics of a numeric tensor (count, min, max, mean, population std, and
// counts of NaN, infinite and zero elements), computed in one streaming pass.
#pragma once

#include <cstdint>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

struct TensorStats {
  uint64_t count = 0;         // all elements
  uint64_t finite_count = 0;  // elements min/max/mean/std are computed over
  uint64_t nan_count = 0;
  uint64_t inf_count = 0;   // +inf and -inf
  uint64_t zero_count = 0;  // == 0, including -0.0
  // Over the finite elements only (NaN and +-inf are counted, not averaged); all 0 when
  // there are none. Integers are converted to double, so int64 values beyond 2^53 round.
  double min = 0;
  double max = 0;
  double mean = 0;
  double std = 0;  // population standard deviation (numpy's default ddof=0)
};

// Floating, integer and bool tensors (bool as 0/1). Mean and variance are computed per
// window in two passes and merged pairwise (Chan et al.), falling back to Welford's update
// for a window whose sum overflows, so large tensors neither overflow nor lose the
// variance to cancellation. float32 and GGML block tensors are read as float32 (no
// widening copy) with the same double accumulation: the figures are those of their values
// read as doubles, bit for bit.
// Errors: NotSupported for string, complex and undecodable dtypes; reader errors.
Result<TensorStats> ComputeStats(const TensorEntry& entry);

}  // namespace rescope
