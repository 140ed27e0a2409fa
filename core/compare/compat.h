// SPDX-License-Identifier: Apache-2.0
// Restore-compatibility check: would a model that expects a given list of variables
// (name, dtype, shape) restore from a checkpoint? Plus the manifest format that carries
// such a list.
//
// Classification of every name in either the checkpoint or the expected list:
//   kRestorable     in both, same dtype and shape
//   kDTypeMismatch  in both, dtypes differ (shape may differ too; both are recorded)
//   kShapeMismatch  in both, same dtype, shapes differ
//   kMissing        expected, not in the checkpoint; `excused` when it matches an
//                   allow_missing glob
//   kUnused         in the checkpoint, not expected; `excused` when it matches an
//                   ignore_unused glob
//   kSetAside       with model_only: optimizer state and bookkeeping on either side
//                   (CheckOptions::set_aside, default IsSetAsideForModelOnly), and
//                   checkpoint entries marked is_metadata; never compared
// Slice entries of partitioned variables are skipped; the partitioned variable itself
// (full dtype and shape) is checked.
// Compatible iff there is no un-excused kMissing and no kDTypeMismatch/kShapeMismatch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/compare/compat_classify.h"
#include "core/store/dtype.h"
#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

struct ExpectedVar {
  std::string name;
  DType dtype = DType::kInvalid;
  std::vector<int64_t> shape;
  std::optional<uint64_t> bytes;  // informational; checked against dtype/shape on parse
};

struct CheckOptions {
  std::vector<std::string> allow_missing;  // globs (core/rename/name_glob.h)
  std::vector<std::string> ignore_unused;  // globs
  bool model_only = false;
  SetAsideClassifier set_aside;  // empty: IsSetAsideForModelOnly
};

enum class CheckCategory {
  kMissing,
  kDTypeMismatch,
  kShapeMismatch,
  kUnused,
  kSetAside,
  kRestorable,
};
inline constexpr CheckCategory kAllCheckCategories[] = {
    CheckCategory::kMissing, CheckCategory::kDTypeMismatch, CheckCategory::kShapeMismatch,
    CheckCategory::kUnused,  CheckCategory::kSetAside,      CheckCategory::kRestorable};

// "missing", "dtype_mismatch", "shape_mismatch", "unused", "set_aside", "restorable".
std::string_view CheckCategoryName(CheckCategory category);

struct CheckItem {
  std::string name;
  CheckCategory category = CheckCategory::kRestorable;
  bool excused = false;  // see kMissing / kUnused above

  bool in_checkpoint = false;
  DType ckpt_dtype = DType::kInvalid;
  std::vector<int64_t> ckpt_shape;

  bool in_expected = false;
  DType expected_dtype = DType::kInvalid;
  std::vector<int64_t> expected_shape;
  std::optional<uint64_t> expected_bytes;
};

struct CheckReport {
  bool model_only = false;
  std::vector<CheckItem> items;  // sorted by name, one per name

  // Items of a category; excused ones are counted only when include_excused.
  size_t Count(CheckCategory category, bool include_excused = true) const;
  bool Compatible() const;
};

// Duplicate names in `expected`: the first one counts.
CheckReport CheckCompat(const TensorStore& ckpt, const std::vector<ExpectedVar>& expected,
                        const CheckOptions& options = {});

// Parses a variables manifest:
//   {"format": "<any string>", "variables": [
//      {"name": "dense/kernel", "dtype": "float32", "shape": [784, 10], "bytes": 31360},
//      ...]}
// "format" is optional; "bytes" is optional and, for fixed-size dtypes, must equal
// elements * element size; dtype names are those of ParseDTypeName; unknown keys are
// ignored. Errors (InvalidArgument) name the source and the entry:
//   "model.json: variables[2] (\"dense/bias\"): \"dtype\": unknown dtype \"floatt\""
Result<std::vector<ExpectedVar>> ParseManifest(std::string_view json_text, std::string_view source);

}  // namespace rescope
