// SPDX-License-Identifier: Apache-2.0
// The whole value of a partitioned variable, assembled from its stored slices.
//
// TF1 partitioners, V1 checkpoints and TF2 sharding store a variable as slices
// (FORMATS.md §1.10): the variable's entry (EntryKind::kPartitioned) lists the slices and
// one kSlice entry per slice holds that part's bytes, row-major within the slice. Users
// expect `show` to print the variable as TF's CheckpointReader.get_tensor does, so the
// parts are copied into one row-major buffer of the full shape.
//
// Assembly first checks that the listed slices tile the full shape exactly: every extent
// inside its dimension, no two slices sharing an element, and together covering every
// element. A checkpoint that breaks this is refused; guessing values for a gap (or picking
// one of two overlapping slices) would print a wrong answer.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

// The largest variable Assemble holds in memory (1 GiB); above it, assembly is refused
// (man/rescope.1 documents the limit).
inline constexpr uint64_t kMaxAssembledBytes = uint64_t{1} << 30;

// OK when `slices` tile `shape` exactly. Errors (Corruption) name the variable and say
// what is wrong: an extent outside its dimension, a rank mismatch, two overlapping slices
// (both named), or how many elements no slice covers.
Status CheckSlicesTile(std::string_view variable, const std::vector<int64_t>& shape,
                       const std::vector<TensorSlice>& slices);

// A kTensor entry named like `variable`, of its dtype and full shape, whose bytes are the
// slices of `variable` (found in `store` as kSlice entries) copied into place, held in
// memory. `variable` must be kPartitioned. Refuses (NotSupported) string and other
// variable-length dtypes and variables larger than `max_bytes`; fails when the slices do
// not tile the shape, a listed slice has no stored entry, or a slice entry's dtype or
// shape disagrees with the variable.
Result<TensorEntry> AssemblePartitioned(const TensorStore& store, const TensorEntry& variable,
                                        uint64_t max_bytes = kMaxAssembledBytes);

}  // namespace rescope
