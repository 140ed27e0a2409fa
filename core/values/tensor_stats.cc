// SPDX-License-Identifier: Apache-2.0
// Streaming statistics over decoded tensor windows (two passes per window, pairwise merge).
#include "core/values/tensor_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/values/tensor_values.h"

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

// The common case, a window of finite values only, with kLanes independent accumulators
// so the compiler vectorizes both passes (one sum in order would be a chain of dependent
// adds). Returns false, leaving *w unset, when the window holds a NaN or an infinity or
// its sum overflows (both make the sum non-finite: no per-element test is needed); the
// caller then takes the general path.
constexpr size_t kLanes = 4;

bool FiniteWindow(const double* v, size_t n, WindowTotals* w, uint64_t* zeros) {
  const size_t body = n - n % kLanes;
  double sum[kLanes] = {}, lo[kLanes], hi[kLanes];
  uint64_t zero[kLanes] = {};
  for (size_t j = 0; j < kLanes; ++j) lo[j] = hi[j] = n > 0 ? v[0] : 0;
  for (size_t i = 0; i < body; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) {
      const double x = v[i + j];
      zero[j] += static_cast<uint64_t>(x == 0);
      sum[j] += x;
      lo[j] = x < lo[j] ? x : lo[j];
      hi[j] = x > hi[j] ? x : hi[j];
    }
  }
  for (size_t i = body; i < n; ++i) {
    const double x = v[i];
    zero[0] += static_cast<uint64_t>(x == 0);
    sum[0] += x;
    lo[0] = x < lo[0] ? x : lo[0];
    hi[0] = x > hi[0] ? x : hi[0];
  }
  double total = 0;
  uint64_t zero_total = 0;
  for (size_t j = 0; j < kLanes; ++j) {
    total += sum[j];
    zero_total += zero[j];
  }
  if (!std::isfinite(total) || n == 0) return false;
  w->finite = n;
  w->mean = total / static_cast<double>(n);
  w->min = *std::min_element(lo, lo + kLanes);
  w->max = *std::max_element(hi, hi + kLanes);
  double m2[kLanes] = {};
  for (size_t i = 0; i < body; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) {
      const double d = v[i + j] - w->mean;
      m2[j] += d * d;
    }
  }
  for (size_t i = body; i < n; ++i) {
    const double d = v[i] - w->mean;
    m2[0] += d * d;
  }
  w->m2 = (m2[0] + m2[1]) + (m2[2] + m2[3]);
  *zeros += zero_total;
  return true;
}

// Any window: NaN and infinities counted and left out.
void GeneralWindow(const double* v, size_t n, TensorStats& st, WindowTotals* w) {
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
    ++w->finite;
    sum += x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  if (w->finite == 0) return;
  if (!std::isfinite(sum)) {
    *w = WelfordWindow(v, n);
    return;
  }
  w->mean = sum / static_cast<double>(w->finite);
  w->min = lo;
  w->max = hi;
  const bool all_finite = w->finite == n;
  for (size_t i = 0; i < n; ++i) {
    const double d = v[i] - w->mean;
    if (all_finite || std::isfinite(v[i])) w->m2 += d * d;
  }
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
    if (!FiniteWindow(v, n, &w, &st.zero_count)) {
      w = WindowTotals();
      GeneralWindow(v, n, st, &w);
    }
    if (w.finite == 0) return Status::Ok();
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
