// SPDX-License-Identifier: Apache-2.0
// Streaming statistics over decoded tensor windows (two passes per window, pairwise merge).
#include "core/tensor_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/tensor_values.h"

namespace rescope {

namespace {

// Totals of the finite elements of one window.
struct WindowTotals {
  uint64_t finite = 0;
  double mean = 0;
  double m2 = 0;  // sum of squared deviations from `mean`
  double min = 0;
  double max = 0;
};

// Element by element (Welford): for windows whose plain sum overflows.
WindowTotals WelfordWindow(const double* v, size_t n) {
  WindowTotals w;
  for (size_t i = 0; i < n; ++i) {
    const double x = v[i];
    if (!std::isfinite(x)) continue;
    w.min = w.finite == 0 ? x : std::min(w.min, x);
    w.max = w.finite == 0 ? x : std::max(w.max, x);
    ++w.finite;
    const double delta = x - w.mean;
    w.mean += delta / static_cast<double>(w.finite);
    w.m2 += delta * (x - w.mean);
  }
  return w;
}

}  // namespace

Result<TensorStats> ComputeStats(const TensorEntry& entry) {
  const std::optional<ValueClass> cls = ValueClassOf(entry.dtype);
  if (!cls) return CannotDecodeStatus(entry);
  if (*cls == ValueClass::kString || *cls == ValueClass::kComplex) {
    return Status::NotSupported("tensor \"" + entry.name + "\": " + DTypeName(entry.dtype) +
                                ": no statistics for this dtype");
  }
  TensorStats st;
  double m2 = 0;
  // Each window's mean and squared deviations take two passes over the window (no division
  // per element, so this runs at memory speed: a Welford update per element cost a divide
  // on the critical path, bench/README.md "dequant_bench"); windows are then merged with
  // the pairwise update of Chan, Golub and LeVeque, as accurate as Welford's.
  const Status status = ForEachDoubleWindow(entry, [&](uint64_t, const double* v, size_t n) {
    st.count += n;
    WindowTotals w;
    double sum = 0;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
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
      ++w.finite;
      sum += x;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
    if (w.finite == 0) return Status::Ok();
    if (std::isfinite(sum)) {
      w.mean = sum / static_cast<double>(w.finite);
      w.min = lo;
      w.max = hi;
      const bool all_finite = w.finite == n;
      for (size_t i = 0; i < n; ++i) {
        const double d = v[i] - w.mean;
        if (all_finite || std::isfinite(v[i])) w.m2 += d * d;
      }
    } else {
      w = WelfordWindow(v, n);
    }
    if (st.finite_count == 0) {
      st.min = w.min;
      st.max = w.max;
      st.mean = w.mean;
      m2 = w.m2;
    } else {
      st.min = std::min(st.min, w.min);
      st.max = std::max(st.max, w.max);
      const double total = static_cast<double>(st.finite_count + w.finite);
      const double share = static_cast<double>(w.finite) / total;
      const double delta = w.mean - st.mean;
      st.mean += delta * share;
      m2 += w.m2 + delta * delta * static_cast<double>(st.finite_count) * share;
    }
    st.finite_count += w.finite;
    return Status::Ok();
  });
  RESCOPE_RETURN_IF_ERROR(status);
  if (st.finite_count > 0) st.std = std::sqrt(m2 / static_cast<double>(st.finite_count));
  return st;
}

}  // namespace rescope
