// SPDX-License-Identifier: Apache-2.0
// `diff --values` on TF2 checkpoints: the `_CHECKPOINTABLE_OBJECT_GRAPH` entries are
// compared by meaning, not as bytes. A's graph is first rewritten for the rename map
// exactly as `rename` rewrites it, then both are decoded and compared field by field; the
// entry says so, and names the first difference when there is one (never the raw bytes).
#pragma once

#include "core/compare/diff.h"
#include "core/store/tensor_store.h"

namespace rescope::cli {

// `a_source`: A as read; `a_mapped`: A after the map (ApplyPlan, or a_source itself when
// there is no map); `b`: B. Updates the object-graph entry of `report` when both sides
// have one: kIdentical (detail says how it was compared), kValuesDiffer (detail: the first
// difference, or why A's graph cannot follow the map) or kError (a graph cannot be read).
void CompareObjectGraphs(const TensorStore& a_source, const TensorStore& a_mapped,
                         const TensorStore& b, DiffReport& report);

}  // namespace rescope::cli
