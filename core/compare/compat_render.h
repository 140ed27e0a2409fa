// SPDX-License-Identifier: Apache-2.0
// Renderers of a CheckReport (and of suggest-map results as text).
//
// Text: first line "compatible: <counts>" or "incompatible: <counts>" (non-zero
// categories, excused items counted apart: "2 missing (1 allowed)"), then one section
// per non-empty category except restorable, one item per line with dtype and shape
// ("checkpoint float32 [3] vs expected float32 [4]" for mismatches); excused items are
// tagged "(allowed)" / "(ignored)". Restorable items are listed only with list_all.
//
// JSON: {"model_only", "counts": {<category>: n}, "excused": {"missing": n,
// "unused": n}, "entries": [{"name", "category", "excused"?, "checkpoint": {dtype, shape}?,
// "expected": {dtype, shape, bytes?}?}]}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/compare/compat.h"
#include "core/compare/suggest_map.h"

namespace rescope {

struct CheckTextOptions {
  bool list_all = false;  // also list restorable items
  // ANSI colour (core/output/ansi_color.h): missing and mismatches red, unused yellow, restorable
  // green; the verdict line green (compatible) or red (incompatible).
  bool color = false;
};

nlohmann::json ToJson(const CheckReport& report);
std::string FormatCheckText(const CheckReport& report, const CheckTextOptions& options = {});

// One line per rule ("scope model_1 -> model_3", "name a -> b (transpose)"; weak rules
// end in "  [weak: <why>]"), then "unresolved x: candidates p, q (<why>)" /
// "unresolved x: no candidate (<why>)".
std::string FormatSuggestText(const SuggestReport& report);

}  // namespace rescope
