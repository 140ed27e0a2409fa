// SPDX-License-Identifier: Apache-2.0
// Store comparison: name pairing, metadata checks and streaming value comparison.
#include "core/compare/diff.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>
#include <type_traits>

#include "core/rename/name_glob.h"
#include "core/values/float_repr.h"
#include "core/values/partitioned_values.h"
#include "core/values/tensor_values.h"
#include "core/values/value_format.h"

namespace rescope {
namespace {

constexpr size_t kChunk = 1 << 15;  // elements per lockstep step

// Running counts shared by every element class.
struct Tally {
  ValueComparison result;
  uint64_t index = 0;  // flat index of the element being compared

  template <typename Text>
  void Mismatch(Text&& text_a_b) {
    if (result.differing++ == 0) {
      result.first_index = index;
      std::tie(result.first_a, result.first_b) = text_a_b();
    }
  }
};

// Optional checks shown the bytes of each side as they are read (diff.h, DiffStores).
struct SideChecks {
  StreamCheck* a = nullptr;
  StreamCheck* b = nullptr;
};

// Pieces of a window compared and checksummed together: small enough that the checksum
// finds in the cache the bytes the comparison just brought in (a mapped window is read
// from memory once, not twice).
constexpr size_t kPieceBytes = 64 << 10;

// Shows [at, at + n) of both sides to their checks. While the bytes are equal so far, B's
// check takes over A's state (StreamCheck::Follow) instead of checksumming the same bytes.
void ShowPiece(SideChecks checks, uint64_t at, ByteView a, ByteView b, bool equal_so_far) {
  if (checks.a != nullptr) checks.a->See(at, a);
  if (checks.b == nullptr) return;
  if (equal_so_far && checks.a != nullptr && checks.b->Follow(*checks.a)) return;
  checks.b->See(at, b);
}

// Compares the bytes window by window, reading them in place (views of a mapping, no copy;
// ByteSource::ReadInPlace). When they differ, *first_unequal is the offset of the first
// window that differs: the bytes before it are equal, so their elements are too and the
// element comparison can start there instead of reading them again. The checks are fresh
// (shown nothing yet) and are shown every byte up to where the comparison stops.
Result<bool> BytesEqual(const TensorEntry& a, const TensorEntry& b, SideChecks checks,
                        uint64_t* first_unequal) {
  *first_unequal = 0;
  if (a.byte_size != b.byte_size) return false;
  if (a.data == b.data && a.data_offset == b.data_offset) return true;
  if (a.stored_crc32c && b.stored_crc32c && *a.stored_crc32c != *b.stored_crc32c) return false;
  WindowedBytes wa(a.data, a.data_offset, a.byte_size);
  WindowedBytes wb(b.data, b.data_offset, b.byte_size);
  wa.set_in_place(true);
  wb.set_in_place(true);
  while (wa.remaining() > 0) {
    const uint64_t at = wa.position();
    const uint64_t n = std::min(wa.remaining(), kValueWindowBytes);
    RESCOPE_ASSIGN_OR_RETURN(const ByteView va, wa.Take(n));
    RESCOPE_ASSIGN_OR_RETURN(const ByteView vb, wb.Take(n));
    for (size_t k = 0; k < va.size; k += kPieceBytes) {
      const size_t m = std::min(kPieceBytes, va.size - k);
      const bool equal = std::memcmp(va.data + k, vb.data + k, m) == 0;
      ShowPiece(checks, at + k, va.Sub(k, m), vb.Sub(k, m), equal);
      if (!equal) {
        *first_unequal = at;  // the window's start, as the readers' windows are aligned
        return false;
      }
    }
  }
  return true;
}

// Cannot happen for entries that passed Validate with equal shapes; kept as a guard.
Status CountMismatch() { return Status::Corruption("the two sides decoded unequal counts"); }

Status CompareFloats(ElementReader& ra, ElementReader& rb, const DiffOptions& o, Tally& t) {
  const DType dtype = ra.value_dtype();
  std::vector<double> va(kChunk), vb(kChunk);
  double& max_abs = t.result.max_abs_diff;
  double& max_rel = t.result.max_rel_diff;
  while (true) {
    RESCOPE_ASSIGN_OR_RETURN(const size_t n, ra.ReadDoubles(va.data(), kChunk));
    RESCOPE_ASSIGN_OR_RETURN(const size_t m, rb.ReadDoubles(vb.data(), kChunk));
    if (n != m) return CountMismatch();
    if (n == 0) return Status::Ok();
    for (size_t i = 0; i < n; ++i, ++t.index) {
      const double x = va[i], y = vb[i];
      // Equal values (-0.0 == 0.0, the same infinity) add nothing to the statistics; the
      // fast path matters when few elements of a large tensor differ.
      if (x == y) continue;
      bool equal;
      if (std::isnan(x) || std::isnan(y)) {
        equal = std::isnan(x) && std::isnan(y);  // the one NaN rule, see diff.h
      } else if (std::isinf(x) || std::isinf(y)) {
        equal = x == y;
      } else {
        const double d = std::fabs(x - y);
        equal = d <= o.atol + o.rtol * std::fabs(y);
        max_abs = std::max(max_abs, d);
        if (d != 0) {
          max_rel = std::max(max_rel,
                             y == 0 ? std::numeric_limits<double>::infinity() : d / std::fabs(y));
        }
      }
      if (!equal) {
        t.Mismatch([&] { return std::pair(ShortestText(x, dtype), ShortestText(y, dtype)); });
      }
    }
    t.result.compared += n;
  }
}

std::string ComplexText(double re, double im, DType part) {
  return ShortestText(re, part) + (std::signbit(im) && !std::isnan(im) ? "-" : "+") +
         ShortestText(std::isnan(im) ? im : std::fabs(im), part) + "j";
}

Status CompareComplex(ElementReader& ra, ElementReader& rb, const DiffOptions& o, Tally& t) {
  const DType part = ra.dtype() == DType::kComplex64 ? DType::kFloat32 : DType::kFloat64;
  std::vector<double> va(2 * kChunk), vb(2 * kChunk);
  while (true) {
    RESCOPE_ASSIGN_OR_RETURN(const size_t n, ra.ReadDoubles(va.data(), kChunk));
    RESCOPE_ASSIGN_OR_RETURN(const size_t m, rb.ReadDoubles(vb.data(), kChunk));
    if (n != m) return CountMismatch();
    if (n == 0) return Status::Ok();
    for (size_t i = 0; i < n; ++i, ++t.index) {
      const double xr = va[2 * i], xi = va[2 * i + 1], yr = vb[2 * i], yi = vb[2 * i + 1];
      const bool nan_x = std::isnan(xr) || std::isnan(xi);
      const bool nan_y = std::isnan(yr) || std::isnan(yi);
      bool equal;
      if (nan_x || nan_y) {
        // Part by part: NaN matches NaN, anything else must be the same value.
        const auto same = [](double p, double q) {
          return (std::isnan(p) && std::isnan(q)) || p == q;
        };
        equal = same(xr, yr) && same(xi, yi);
      } else if (std::isinf(xr) || std::isinf(xi) || std::isinf(yr) || std::isinf(yi)) {
        equal = xr == yr && xi == yi;
      } else {
        const double d = std::hypot(xr - yr, xi - yi);
        const double mag = std::hypot(yr, yi);
        equal = d <= o.atol + o.rtol * mag;
        t.result.max_abs_diff = std::max(t.result.max_abs_diff, d);
        if (d != 0) {
          t.result.max_rel_diff = std::max(
              t.result.max_rel_diff, mag == 0 ? std::numeric_limits<double>::infinity() : d / mag);
        }
      }
      if (!equal) {
        t.Mismatch([&] { return std::pair(ComplexText(xr, xi, part), ComplexText(yr, yi, part)); });
      }
    }
    t.result.compared += n;
  }
}

// Exact integer comparison; Int is int64_t (signed, bool) or uint64_t.
template <typename Int>
Status CompareIntegers(ElementReader& ra, ElementReader& rb, bool is_bool, Tally& t) {
  std::vector<Int> va(kChunk), vb(kChunk);
  auto read = [](ElementReader& r, Int* out) {
    if constexpr (std::is_signed_v<Int>) {
      return r.ReadInt64(out, kChunk);
    } else {
      return r.ReadUInt64(out, kChunk);
    }
  };
  auto text = [is_bool](Int v) {
    return is_bool ? std::string(v != 0 ? "True" : "False") : std::to_string(v);
  };
  while (true) {
    RESCOPE_ASSIGN_OR_RETURN(const size_t n, read(ra, va.data()));
    RESCOPE_ASSIGN_OR_RETURN(const size_t m, read(rb, vb.data()));
    if (n != m) return CountMismatch();
    if (n == 0) return Status::Ok();
    for (size_t i = 0; i < n; ++i, ++t.index) {
      const Int x = va[i], y = vb[i];
      if (x == y) continue;
      // |x - y| computed in uint64 so int64 extremes do not overflow.
      const uint64_t d = x > y ? static_cast<uint64_t>(x) - static_cast<uint64_t>(y)
                               : static_cast<uint64_t>(y) - static_cast<uint64_t>(x);
      const double dd = static_cast<double>(d);
      t.result.max_abs_diff = std::max(t.result.max_abs_diff, dd);
      const double mag = std::fabs(static_cast<double>(y));
      t.result.max_rel_diff = std::max(
          t.result.max_rel_diff, mag == 0 ? std::numeric_limits<double>::infinity() : dd / mag);
      t.Mismatch([&] { return std::pair(text(x), text(y)); });
    }
    t.result.compared += n;
  }
}

Status CompareStrings(const TensorEntry& a, const TensorEntry& b, Tally& t) {
  RESCOPE_ASSIGN_OR_RETURN(StringReader ra, StringReader::Open(a));
  RESCOPE_ASSIGN_OR_RETURN(StringReader rb, StringReader::Open(b));
  // Each reader has its own window buffer, so sa stays valid while b is read.
  std::string_view sa, sb;
  while (true) {
    RESCOPE_ASSIGN_OR_RETURN(const bool more_a, ra.Next(&sa));
    RESCOPE_ASSIGN_OR_RETURN(const bool more_b, rb.Next(&sb));
    if (more_a != more_b) return CountMismatch();
    if (!more_a) return Status::Ok();
    if (sa != sb) t.Mismatch([&] { return std::pair(BytesLiteral(sa), BytesLiteral(sb)); });
    ++t.index;
    ++t.result.compared;
  }
}

// Elements are compared from the one holding byte `equal_prefix` on: the bytes before it
// are equal on both sides (BytesEqual), so those elements are equal and count as compared.
Status CompareDecoded(const TensorEntry& a, const TensorEntry& b, ValueClass cls,
                      const DiffOptions& o, Tally& t, SideChecks checks, uint64_t equal_prefix) {
  if (cls == ValueClass::kString) return CompareStrings(a, b, t);
  RESCOPE_ASSIGN_OR_RETURN(ElementReader ra, ElementReader::Open(a));
  RESCOPE_ASSIGN_OR_RETURN(ElementReader rb, ElementReader::Open(b));
  ra.set_check(checks.a);
  rb.set_check(checks.b);
  ra.set_in_place(true);
  rb.set_in_place(true);
  if (equal_prefix > 0) {
    // Same dtype and shape on both sides, so the same element index.
    t.index = ra.SeekToByte(equal_prefix);
    rb.Seek(t.index);
    t.result.compared = t.index;
  }
  switch (cls) {
    case ValueClass::kFloat:
      return CompareFloats(ra, rb, o, t);
    case ValueClass::kComplex:
      return CompareComplex(ra, rb, o, t);
    case ValueClass::kUnsigned:
      return CompareIntegers<uint64_t>(ra, rb, false, t);
    default:
      return CompareIntegers<int64_t>(ra, rb, cls == ValueClass::kBool, t);
  }
}

// Runs the readers' Open checks first so a truncated or missing side is reported with
// the readers' messages rather than as "bytes differ".
Status Validate(const TensorEntry& e, std::optional<ValueClass> cls) {
  if (!cls) {
    if (e.data) return Status::Ok();
    return Status::NotFound("tensor \"" + e.name + "\": bytes unavailable (" +
                            (e.data_error().empty() ? "no data source" : e.data_error()) + ")");
  }
  if (*cls == ValueClass::kString) return StringReader::Open(e).status();
  return ElementReader::Open(e).status();
}

// The whole value of a partitioned entry (assembled in memory), or the entry itself.
Result<TensorEntry> WholeValue(const TensorStore& store, const TensorEntry& entry) {
  if (entry.kind != EntryKind::kPartitioned) return entry;
  return AssemblePartitioned(store, entry);
}

Result<ValueComparison> CompareValuesChecked(const TensorEntry& a, const TensorEntry& b,
                                             const DiffOptions& options, SideChecks checks);

void CompareValuesInto(const TensorEntry& a, const TensorEntry& b, const DiffOptions& options,
                       DiffEntry& e, SideChecks checks = {});

void CompareMetadata(const TensorStore& sa, const TensorStore& sb, const TensorEntry& a,
                     const TensorEntry& b, const DiffOptions& options, DiffEntry& e,
                     SideChecks checks) {
  if (a.dtype != b.dtype) {
    e.category = DiffCategory::kDTypeDiffers;
  } else if (a.shape != b.shape) {
    e.category = DiffCategory::kShapeDiffers;
  } else if ((a.kind == EntryKind::kPartitioned || b.kind == EntryKind::kPartitioned) &&
             a.kind == b.kind && a.slices() == b.slices()) {
    e.category = DiffCategory::kUnchecked;
    e.detail = "partitioned; values compared per slice";
  } else if (a.kind == EntryKind::kPartitioned || b.kind == EntryKind::kPartitioned) {
    // Slices that do not pair up by name: only the whole values can be compared.
    const std::string how =
        a.kind != b.kind ? "partitioned on one side only" : "partitioned differently";
    e.category = DiffCategory::kUnchecked;
    e.detail = how + "; values not compared";
    if (!options.values) return;
    Result<TensorEntry> whole_a = WholeValue(sa, a);
    Result<TensorEntry> whole_b = WholeValue(sb, b);
    if (!whole_a.ok() || !whole_b.ok()) {
      e.category = DiffCategory::kError;
      e.detail = (whole_a.ok() ? whole_b : whole_a).status().message();
      return;
    }
    CompareValuesInto(*whole_a, *whole_b, options, e);
    if (e.category != DiffCategory::kError) e.detail = how + "; whole values compared";
  } else if (!options.values) {
    e.category = DiffCategory::kUnchecked;
    if (a.stored_crc32c && b.stored_crc32c && *a.stored_crc32c != *b.stored_crc32c) {
      e.category = DiffCategory::kValuesDiffer;
      e.evidence = "checksum";
    }
  } else {
    CompareValuesInto(a, b, options, e, checks);
  }
}

void CompareValuesInto(const TensorEntry& a, const TensorEntry& b, const DiffOptions& options,
                       DiffEntry& e, SideChecks checks) {
  Result<ValueComparison> cmp = CompareValuesChecked(a, b, options, checks);
  if (!cmp.ok()) {
    e.category = DiffCategory::kError;
    e.detail = cmp.status().message();
    return;
  }
  const ValueComparison& v = *cmp;
  const bool same = v.bytes_identical || (v.decoded && v.differing == 0);
  e.category = same ? DiffCategory::kIdentical : DiffCategory::kValuesDiffer;
  if (!v.decoded && !same) e.detail = DTypeName(a.dtype) + ": bytes differ; values not decoded";
  e.values = std::move(cmp).value();
}

// What makes two one-sided entries the same tensor under two names.
using RenameKey = std::tuple<uint32_t, DType, std::vector<int64_t>>;

std::optional<RenameKey> KeyOf(const TensorEntry& e) {
  if (!e.stored_crc32c || e.kind != EntryKind::kTensor) return std::nullopt;
  return RenameKey{*e.stored_crc32c, e.dtype, e.shape};
}

// Pairs only-in-A and only-in-B entries whose checksum, dtype and shape agree and are
// unique to them (see diff.h), replacing each pair by one kRenamed entry.
void DetectRenames(const TensorStore& a, const TensorStore& b, const DiffOptions& options,
                   DiffReport& report) {
  std::map<RenameKey, std::pair<std::vector<size_t>, std::vector<size_t>>> groups;
  for (size_t i = 0; i < report.entries.size(); ++i) {
    const DiffEntry& e = report.entries[i];
    if (e.category == DiffCategory::kOnlyInA) {
      if (const auto key = KeyOf(*a.Find(e.name))) groups[*key].first.push_back(i);
    } else if (e.category == DiffCategory::kOnlyInB) {
      if (const auto key = KeyOf(*b.Find(e.name))) groups[*key].second.push_back(i);
    }
  }
  std::vector<bool> drop(report.entries.size(), false);
  for (const auto& [key, sides] : groups) {
    if (sides.first.size() != 1 || sides.second.size() != 1) continue;
    DiffEntry& ea = report.entries[sides.first[0]];
    const DiffEntry& eb = report.entries[sides.second[0]];
    std::string evidence = "checksum";
    if (options.values) {
      // Equal checksums are only a hint: with --values the bytes decide.
      Result<ValueComparison> cmp = CompareValues(*a.Find(ea.name), *b.Find(eb.name), options);
      if (!cmp.ok() || !cmp->bytes_identical) continue;
      ea.values = std::move(cmp).value();
      evidence = "bytes";
    }
    ea.category = DiffCategory::kRenamed;
    ea.renamed_to = eb.name;
    ea.in_b = true;
    ea.dtype_b = eb.dtype_b;
    ea.shape_b = eb.shape_b;
    ea.crc_b = eb.crc_b;
    ea.evidence = evidence;
    drop[sides.second[0]] = true;
  }
  if (std::find(drop.begin(), drop.end(), true) == drop.end()) return;
  std::vector<DiffEntry> kept;
  kept.reserve(report.entries.size());
  for (size_t i = 0; i < report.entries.size(); ++i) {
    if (!drop[i]) kept.push_back(std::move(report.entries[i]));
  }
  report.entries = std::move(kept);
}

}  // namespace

std::string_view DiffCategoryName(DiffCategory category) {
  switch (category) {
    case DiffCategory::kOnlyInA:
      return "only_in_a";
    case DiffCategory::kOnlyInB:
      return "only_in_b";
    case DiffCategory::kRenamed:
      return "renamed";
    case DiffCategory::kDTypeDiffers:
      return "dtype_mismatch";
    case DiffCategory::kShapeDiffers:
      return "shape_mismatch";
    case DiffCategory::kValuesDiffer:
      return "values_mismatch";
    case DiffCategory::kError:
      return "error";
    case DiffCategory::kIdentical:
      return "identical";
    case DiffCategory::kUnchecked:
      return "unchecked";
  }
  return "unknown";
}

size_t DiffReport::Count(DiffCategory category) const {
  return static_cast<size_t>(std::count_if(
      entries.begin(), entries.end(), [&](const DiffEntry& e) { return e.category == category; }));
}

DiffVerdict DiffReport::Verdict() const {
  for (DiffCategory c :
       {DiffCategory::kOnlyInA, DiffCategory::kOnlyInB, DiffCategory::kRenamed,
        DiffCategory::kDTypeDiffers, DiffCategory::kShapeDiffers, DiffCategory::kValuesDiffer}) {
    if (Count(c) > 0) return DiffVerdict::kDifferent;
  }
  return Count(DiffCategory::kError) > 0 ? DiffVerdict::kError : DiffVerdict::kSame;
}

std::vector<int64_t> UnravelIndex(uint64_t flat, const std::vector<int64_t>& shape) {
  std::vector<int64_t> pos(shape.size(), 0);
  for (size_t a = shape.size(); a-- > 0;) {
    const auto dim = static_cast<uint64_t>(std::max<int64_t>(shape[a], 1));
    pos[a] = static_cast<int64_t>(flat % dim);
    flat /= dim;
  }
  return pos;
}

namespace {

Result<ValueComparison> CompareValuesChecked(const TensorEntry& a, const TensorEntry& b,
                                             const DiffOptions& options, SideChecks checks) {
  const std::optional<ValueClass> cls = ValueClassOf(a.dtype);
  RESCOPE_RETURN_IF_ERROR(Validate(a, cls));
  RESCOPE_RETURN_IF_ERROR(Validate(b, cls));
  Tally t;
  uint64_t equal_prefix = 0;
  RESCOPE_ASSIGN_OR_RETURN(t.result.bytes_identical, BytesEqual(a, b, checks, &equal_prefix));
  if (t.result.bytes_identical) return t.result;
  if (!cls) {
    t.result.decoded = false;
    return t.result;
  }
  RESCOPE_RETURN_IF_ERROR(CompareDecoded(a, b, *cls, options, t, checks, equal_prefix));
  if (t.result.first_index) t.result.first_position = UnravelIndex(*t.result.first_index, a.shape);
  return t.result;
}

// Runs both sides' checks to their end: A's first, so its error is the one reported.
Status FinishChecks(std::unique_ptr<StreamCheck>& a, std::unique_ptr<StreamCheck>& b) {
  if (a) RESCOPE_RETURN_IF_ERROR(a->Finish());
  if (b) RESCOPE_RETURN_IF_ERROR(b->Finish());
  return Status::Ok();
}

}  // namespace

Result<ValueComparison> CompareValues(const TensorEntry& a, const TensorEntry& b,
                                      const DiffOptions& options) {
  return CompareValuesChecked(a, b, options, {});
}

DiffReport DiffStores(const TensorStore& a, const TensorStore& b, const DiffOptions& options) {
  // Without checks nothing can fail the whole comparison.
  return DiffStores(a, b, options, StreamCheckFactory()).value();
}

Result<DiffReport> DiffStores(const TensorStore& a, const TensorStore& b,
                              const DiffOptions& options, const StreamCheckFactory& check) {
  DiffReport report;
  report.options = options;
  report.entries.reserve(std::max(a.size(), b.size()));
  auto ia = a.begin(), ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    const bool take_a = ib == b.end() || (ia != a.end() && ia->first <= ib->first);
    const bool take_b = ia == a.end() || (ib != b.end() && ib->first <= ia->first);
    const TensorEntry* ea = take_a ? &ia->second : nullptr;
    const TensorEntry* eb = take_b ? &ib->second : nullptr;
    if (take_a) ++ia;
    if (take_b) ++ib;
    const std::string& name = ea ? ea->name : eb->name;
    std::unique_ptr<StreamCheck> check_a, check_b;
    if (ea && eb && check) {
      check_a = check(*ea);
      check_b = check(*eb);
    }
    if (!options.filters.empty() && !GlobMatchAny(options.filters, name)) {
      // Names on both sides are checked whether or not they are compared.
      RESCOPE_RETURN_IF_ERROR(FinishChecks(check_a, check_b));
      continue;
    }
    DiffEntry e;
    e.name = name;
    e.in_a = ea != nullptr;
    e.in_b = eb != nullptr;
    if (ea) e.dtype_a = ea->dtype, e.shape_a = ea->shape, e.crc_a = ea->stored_crc32c;
    if (eb) e.dtype_b = eb->dtype, e.shape_b = eb->shape, e.crc_b = eb->stored_crc32c;
    if (!eb) {
      e.category = DiffCategory::kOnlyInA;
    } else if (!ea) {
      e.category = DiffCategory::kOnlyInB;
    } else {
      CompareMetadata(a, b, *ea, *eb, options, e, {check_a.get(), check_b.get()});
    }
    RESCOPE_RETURN_IF_ERROR(FinishChecks(check_a, check_b));
    report.entries.push_back(std::move(e));
  }
  DetectRenames(a, b, options, report);
  return report;
}

}  // namespace rescope
