// SPDX-License-Identifier: Apache-2.0
// Streaming statistics over decoded tensor windows (two passes per window, pairwise merge).
#include "core/values/tensor_stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

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

// The window functions take float32 or double elements (T). Float32 tensors (and GGML
// block types, which dequantize to float32) are read as float32: widening every element
// to double in ElementReader first, then counting zeros on doubles, cost more than half
// of `show --stats` (bench/README.md "dequant_bench"). Sums, means and squared deviations
// are always accumulated in double in the same order, and min/max/zero tests on a float
// give the same answers as on its exact double widening, so both paths give bit-identical
// statistics for the same values and the same windows.

// Element by element (Welford): for windows whose plain sum overflows.
template <typename T>
WindowTotals WelfordWindow(const T* v, size_t n) {
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
// so the additions are not one chain of dependent adds. Returns false, leaving *w unset,
// when the window holds a NaN or an infinity or its sum overflows (both make the sum
// non-finite: no per-element test is needed); the caller then takes the general path.
constexpr size_t kLanes = 4;

// The kLanes accumulators are GCC/Clang vector types: written as arrays, GCC 12 left the
// min/max and zero-count loop scalar (it will not turn `x < lo ? x : lo` into minps on
// its own, whose result for -0.0 vs 0.0 depends on the operand order, nor a float compare
// into a 64-bit count). Lane j holds exactly what an array's element j would, in the same
// order, so the results are those of the plain loops.
template <typename T>
bool FiniteWindow(const T* v, size_t n, WindowTotals* w, uint64_t* zeros) {
  typedef T Lanes __attribute__((vector_size(kLanes * sizeof(T))));
  typedef double WideLanes __attribute__((vector_size(kLanes * sizeof(double))));
  using MaskLanes = decltype(Lanes{} == Lanes{});  // int32 or int64 lanes: -1 true, 0 false
  const size_t body = n - n % kLanes;
  const T first = n > 0 ? v[0] : 0;
  Lanes lo4 = {first, first, first, first}, hi4 = lo4;
  const Lanes zero_value = {};
  MaskLanes zero4 = {};
  WideLanes sum4 = {};
  for (size_t i = 0; i < body; i += kLanes) {
    Lanes x;
    std::memcpy(&x, v + i, sizeof x);
    zero4 -= x == zero_value;
    sum4 += __builtin_convertvector(x, WideLanes);
    lo4 = x < lo4 ? x : lo4;
    hi4 = x > hi4 ? x : hi4;
  }
  double sum[kLanes];
  T lo[kLanes], hi[kLanes];
  uint64_t zero[kLanes];
  for (size_t j = 0; j < kLanes; ++j) {
    sum[j] = sum4[j];
    lo[j] = lo4[j];
    hi[j] = hi4[j];
    zero[j] = static_cast<uint64_t>(zero4[j]);
  }
  for (size_t i = body; i < n; ++i) {
    const T x = v[i];
    zero[0] += static_cast<uint64_t>(x == 0);
    sum[0] += static_cast<double>(x);
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
      const double d = static_cast<double>(v[i + j]) - w->mean;
      m2[j] += d * d;
    }
  }
  for (size_t i = body; i < n; ++i) {
    const double d = static_cast<double>(v[i]) - w->mean;
    m2[0] += d * d;
  }
  w->m2 = (m2[0] + m2[1]) + (m2[2] + m2[3]);
  *zeros += zero_total;
  return true;
}

// Any window: NaN and infinities counted and left out.
template <typename T>
void GeneralWindow(const T* v, size_t n, TensorStats& st, WindowTotals* w) {
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
    const double x = v[i];
    const double d = x - w->mean;
    if (all_finite || std::isfinite(x)) w->m2 += d * d;
  }
}

// Running totals over the windows seen so far.
class StatsMerger {
 public:
  template <typename T>
  void AddWindow(const T* v, size_t n) {
    st_.count += n;
    WindowTotals w;
    if (!FiniteWindow(v, n, &w, &st_.zero_count)) {
      w = WindowTotals();
      GeneralWindow(v, n, st_, &w);
    }
    if (w.finite == 0) return;
    if (st_.finite_count == 0) {
      st_.min = w.min;
      st_.max = w.max;
      st_.mean = w.mean;
      m2_ = w.m2;
    } else {
      st_.min = std::min(st_.min, w.min);
      st_.max = std::max(st_.max, w.max);
      const double total = static_cast<double>(st_.finite_count + w.finite);
      const double share = static_cast<double>(w.finite) / total;
      const double delta = w.mean - st_.mean;
      st_.mean += delta * share;
      m2_ += w.m2 + delta * delta * static_cast<double>(st_.finite_count) * share;
    }
    st_.finite_count += w.finite;
  }

  TensorStats Finish() {
    if (st_.finite_count > 0) st_.std = std::sqrt(m2_ / static_cast<double>(st_.finite_count));
    return st_;
  }

 private:
  TensorStats st_;
  double m2_ = 0;
};

// Elements per window, float32 or double (the size ForEachDoubleWindow reads).
constexpr size_t kWindow = 1 << 15;

}  // namespace

Result<TensorStats> ComputeStats(const TensorEntry& entry) {
  const std::optional<ValueClass> cls = ValueClassOf(entry.dtype);
  if (!cls) return CannotDecodeStatus(entry);
  if (*cls == ValueClass::kString || *cls == ValueClass::kComplex) {
    return Status::NotSupported("tensor \"" + entry.name + "\": " + DTypeName(entry.dtype) +
                                ": no statistics for this dtype");
  }
  // Each window's mean and squared deviations take two passes over the window (no division
  // per element, so this runs at memory speed: a Welford update per element cost a divide
  // on the critical path, bench/README.md "dequant_bench"); windows are then merged with
  // the pairwise update of Chan, Golub and LeVeque, as accurate as Welford's.
  StatsMerger merger;
  RESCOPE_ASSIGN_OR_RETURN(ElementReader reader, ElementReader::Open(entry));
  if (reader.reads_float32()) {
    while (true) {
      const float* v = nullptr;
      RESCOPE_ASSIGN_OR_RETURN(const size_t n, reader.ReadFloat32(&v, kWindow));
      if (n == 0) break;
      merger.AddWindow(v, n);
    }
    return merger.Finish();
  }
  std::vector<double> buffer(kWindow);
  while (true) {
    RESCOPE_ASSIGN_OR_RETURN(const size_t n, reader.ReadDoubles(buffer.data(), kWindow));
    if (n == 0) break;
    merger.AddWindow(buffer.data(), n);
  }
  return merger.Finish();
}

}  // namespace rescope
