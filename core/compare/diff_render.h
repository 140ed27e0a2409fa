// SPDX-License-Identifier: Apache-2.0
// Renderers of a DiffReport: JSON for scripts and plain text for people.
//
// Text: the first line is the verdict and the non-zero counts per category
//   "different: 1 only in A, 1 only in B, 2 values differ, 5 identical"
//   "same: 7 identical"  /  "same: 7 unchecked (values not compared)"  /  "error: ..."
//   "different: 52 values differ (checksum), 8 unchecked (values not compared)"
// Renamed entries are listed as "  a/w -> b/w  float32 [3] (same checksum)" ("(same
// bytes)" with --values); differences known from checksums as
// "  w  float32 [3]: stored checksums differ (0x... vs 0x...)".
// then one section per non-empty category, each entry on one line (identical and
// unchecked entries are counted, and listed only with list_all or when they carry a
// note). Numbers in the text use up to 6 significant digits.
//
// JSON: {"options", "counts": {<every category>: n}, "entries": [...]} where
// each entry has name, category, "a"/"b" {dtype, shape, crc32c?} for the sides it exists
// on, "renamed_to" (renamed), "evidence" ("checksum" or "bytes") when the result rests on
// stored checksums or raw bytes, "values" when values were compared, and "detail" when
// non-empty. Infinite max_rel_diff
// is written as the string "inf" (JSON has no infinity).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/compare/diff.h"

namespace rescope {

struct DiffTextOptions {
  bool list_all = false;  // also list identical and unchecked entries by name
  // ANSI colour (core/output/ansi_color.h): only in A red, only in B green, renamed and
  // dtype/shape/values differences yellow, errors red; the verdict line likewise.
  bool color = false;
};

nlohmann::json ToJson(const DiffReport& report);
std::string FormatDiffText(const DiffReport& report, const DiffTextOptions& options = {});

std::string_view DiffVerdictName(DiffVerdict verdict);  // "same", "different", "error"

}  // namespace rescope
