// SPDX-License-Identifier: Apache-2.0
// Streaming Welford statistics over decoded tensor windows.
#include "core/tensor_stats.h"

#include <cmath>

#include "core/tensor_values.h"

namespace rescope {

Result<TensorStats> ComputeStats(const TensorEntry& entry) {
  const std::optional<ValueClass> cls = ValueClassOf(entry.dtype);
  if (!cls) return CannotDecodeStatus(entry);
  if (*cls == ValueClass::kString || *cls == ValueClass::kComplex) {
    return Status::NotSupported("tensor \"" + entry.name + "\": " + DTypeName(entry.dtype) +
                                ": no statistics for this dtype");
  }
  TensorStats st;
  double m2 = 0;
  const Status status = ForEachDoubleWindow(entry, [&](uint64_t, const double* v, size_t n) {
    st.count += n;
    for (size_t i = 0; i < n; ++i) {
      const double x = v[i];
      if (std::isnan(x)) {
        ++st.nan_count;
        continue;
      }
      if (std::isinf(x)) {
        ++st.inf_count;
        continue;
      }
      if (x == 0) ++st.zero_count;
      if (st.finite_count == 0) {
        st.min = st.max = x;
      } else {
        st.min = std::min(st.min, x);
        st.max = std::max(st.max, x);
      }
      ++st.finite_count;
      const double delta = x - st.mean;
      st.mean += delta / static_cast<double>(st.finite_count);
      m2 += delta * (x - st.mean);
    }
    return Status::Ok();
  });
  RESCOPE_RETURN_IF_ERROR(status);
  if (st.finite_count > 0) st.std = std::sqrt(m2 / static_cast<double>(st.finite_count));
  return st;
}

}  // namespace rescope
