// SPDX-License-Identifier: Apache-2.0
// Comparison of two TensorStores: which names exist on one side only, which differ in
// dtype or shape, and (optionally) which differ in value, with numpy-allclose tolerances.
//
// Rules:
//   * Entries are paired by name. Slice entries of partitioned variables are compared
//     like ordinary tensors (their names are the encoded slice keys); a partitioned
//     variable itself has no bytes and is reported kUnchecked with a detail when both
//     sides list the same slices. When they do not (partitioned on one side only, or
//     differently), values mode assembles each partitioned side whole in memory
//     (core/values/partitioned_values.h, up to its size limit) and compares the whole values.
//   * dtype is compared before shape; an entry whose dtype differs is kDTypeDiffers even
//     if its shape differs too (both are in the entry).
//   * Without options.values, entries equal in dtype and shape are kUnchecked, unless
//     both sides store a checksum of their bytes (TF bundles' CRC32C) and the checksums
//     differ: then the bytes differ for certain, and the entry is kValuesDiffer with
//     evidence "checksum" (its values were not decoded: -0.0 vs 0.0 or NaN payloads also
//     change bytes; --values compares elements).
//   * Renames, as git detects them: an entry only in A and one only in B with equal
//     dtype, shape and stored checksum, where no other one-sided entry shares that
//     checksum, dtype and shape, become one kRenamed entry (name = A's name, renamed_to =
//     B's). With options.values the bytes are compared too (evidence "bytes"); without,
//     the checksum is the evidence ("checksum"). Ambiguous groups (several zero-filled
//     slots with one checksum) stay only-in-A / only-in-B.
//   * With values: equal bytes make an entry kIdentical without decoding (different
//     stored CRC32Cs prove the bytes differ and skip the byte comparison; equal CRCs are
//     only a hint, the bytes are compared in windows). Otherwise the elements are compared:
//       floats:  equal when |a - b| <= atol + rtol * |b| (numpy.isclose); -0.0 == 0.0;
//                a NaN equals a NaN at the same position (any payload or sign) and
//                nothing else — the same rule equal bytes imply, so a tensor is identical
//                to itself whether or not other elements differ; an infinity equals only
//                the same infinity;
//       complex: the same with complex magnitudes; an element is NaN if either part is;
//       integers, bool, strings: exact (int64/uint64 compared as integers, never
//                through double); tolerances do not apply.
//     An entry none of whose elements differ is kIdentical (values->bytes_identical
//     tells whether its bytes were equal too), otherwise kValuesDiffer.
//   * An entry whose bytes cannot be read or decoded becomes kError with the message in
//     `detail`; the comparison continues with the other entries.
// Memory use does not depend on tensor sizes: values are read in bounded windows (except
// for partitioned variables assembled whole, above).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/dtype.h"
#include "core/store/status.h"
#include "core/store/stream_check.h"
#include "core/store/tensor_store.h"

namespace rescope {

struct DiffOptions {
  bool values = false;  // compare element values, not only names/dtypes/shapes
  double atol = 0;
  double rtol = 0;
  // Globs (core/rename/name_glob.h); when non-empty only names matching one are compared.
  std::vector<std::string> filters;
};

enum class DiffCategory {
  kOnlyInA,
  kOnlyInB,
  kRenamed,
  kDTypeDiffers,
  kShapeDiffers,
  kValuesDiffer,
  kError,
  kIdentical,
  kUnchecked,
};
inline constexpr DiffCategory kAllDiffCategories[] = {
    DiffCategory::kOnlyInA,      DiffCategory::kOnlyInB,      DiffCategory::kRenamed,
    DiffCategory::kDTypeDiffers, DiffCategory::kShapeDiffers, DiffCategory::kValuesDiffer,
    DiffCategory::kError,        DiffCategory::kIdentical,    DiffCategory::kUnchecked};

// "only_in_a", "only_in_b", "renamed", "dtype_mismatch", "shape_mismatch", "values_mismatch",
// "error", "identical", "unchecked" (the JSON vocabulary of docs/json-schema/README.md).
std::string_view DiffCategoryName(DiffCategory category);

// Result of comparing the values of two same-dtype, same-shape tensors.
struct ValueComparison {
  bool bytes_identical = false;
  // False for dtypes whose values cannot be decoded (variant, unknown): only the bytes
  // were compared, and the counts below are 0.
  bool decoded = true;
  uint64_t compared = 0;   // elements compared (0 when bytes_identical)
  uint64_t differing = 0;  // elements outside tolerance
  // Largest |a - b| and |a - b| / |b| over element pairs that are both finite (numeric
  // classes only; inf when b == 0 != a). 0 when nothing was compared.
  double max_abs_diff = 0;
  double max_rel_diff = 0;
  // The first differing element: flat row-major index, its index per dimension, and
  // both values as text (ShortestText for floats, decimal integers, "True"/"False",
  // Python bytes literals for strings).
  std::optional<uint64_t> first_index;
  std::vector<int64_t> first_position;
  std::string first_a;
  std::string first_b;
};

struct DiffEntry {
  std::string name;
  DiffCategory category = DiffCategory::kUnchecked;
  bool in_a = false;
  bool in_b = false;
  DType dtype_a = DType::kInvalid;
  DType dtype_b = DType::kInvalid;
  std::vector<int64_t> shape_a;
  std::vector<int64_t> shape_b;
  std::optional<ValueComparison> values;  // set when values were compared
  std::string detail;                     // kError message, or a note (partitioned)
  std::string renamed_to;                 // kRenamed: the name in B (`name` is A's)
  // How a difference or rename without decoded values is known: "checksum" (stored
  // CRC32Cs), "bytes" (the bytes were compared); empty otherwise.
  std::string evidence;
  std::optional<uint32_t> crc_a, crc_b;  // stored checksums, when both sides have one
};

enum class DiffVerdict { kSame, kDifferent, kError };

struct DiffReport {
  DiffOptions options;
  std::vector<DiffEntry> entries;  // sorted by name

  size_t Count(DiffCategory category) const;
  // kDifferent when any entry is only on one side, renamed or differs; otherwise kError when an
  // entry could not be compared; otherwise kSame.
  DiffVerdict Verdict() const;
};

DiffReport DiffStores(const TensorStore& a, const TensorStore& b, const DiffOptions& options);

// The same, with a check over the bytes of every entry whose name is on both sides (the
// factory returns nullptr for entries it does not check), whether or not the entry is
// compared: each check is shown the windows the value comparison reads and reads the
// bytes it was not shown itself, so checked data is read once. The first failing check
// (in name order, A's side before B's) stops the comparison, and its status is returned.
Result<DiffReport> DiffStores(const TensorStore& a, const TensorStore& b,
                              const DiffOptions& options, const StreamCheckFactory& check);

// Compares the values of two entries of equal dtype and shape (exposed for tests and
// for `show --compare`). Errors: reader errors of either side.
Result<ValueComparison> CompareValues(const TensorEntry& a, const TensorEntry& b,
                                      const DiffOptions& options);

// Row-major unravel of a flat index (shape assumed valid).
std::vector<int64_t> UnravelIndex(uint64_t flat, const std::vector<int64_t>& shape);

}  // namespace rescope
