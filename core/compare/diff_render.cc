// SPDX-License-Identifier: Apache-2.0
// JSON and text output of diff reports.
#include "core/compare/diff_render.h"

#include <cmath>
#include <cstdio>

#include "core/output/ansi_color.h"
#include "core/values/value_json.h"

namespace rescope {
namespace {

std::string_view Label(DiffCategory c) {
  switch (c) {
    case DiffCategory::kOnlyInA:
      return "only in A";
    case DiffCategory::kOnlyInB:
      return "only in B";
    case DiffCategory::kRenamed:
      return "renamed";
    case DiffCategory::kDTypeDiffers:
      return "dtype differs";
    case DiffCategory::kShapeDiffers:
      return "shape differs";
    case DiffCategory::kValuesDiffer:
      return "values differ";
    case DiffCategory::kError:
      return "error";
    case DiffCategory::kIdentical:
      return "identical";
    case DiffCategory::kUnchecked:
      return "unchecked";
  }
  return "?";
}

std::string Num(double v) {
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string Side(DType dtype, const std::vector<int64_t>& shape) {
  return DTypeName(dtype) + " " + ShapeToString(shape);
}

nlohmann::json SideJson(DType dtype, const std::vector<int64_t>& shape) {
  return {{"dtype", DTypeName(dtype)}, {"shape", shape}};
}

nlohmann::json ValuesJson(const ValueComparison& v) {
  nlohmann::json j = {{"bytes_identical", v.bytes_identical},
                      {"decoded", v.decoded},
                      {"compared", v.compared},
                      {"differing", v.differing},
                      {"max_abs_diff", FloatToJson(v.max_abs_diff, DType::kFloat64)},
                      {"max_rel_diff", FloatToJson(v.max_rel_diff, DType::kFloat64)}};
  if (v.first_index) {
    j["first_index"] = *v.first_index;
    j["first_position"] = v.first_position;
    j["first_a"] = v.first_a;
    j["first_b"] = v.first_b;
  }
  return j;
}

std::string ValuesLine(const ValueComparison& v) {
  std::string out =
      std::to_string(v.differing) + " of " + std::to_string(v.compared) + " elements differ";
  if (v.max_abs_diff != 0 || v.max_rel_diff != 0) {
    out += "; max abs diff " + Num(v.max_abs_diff) + ", max rel diff " + Num(v.max_rel_diff);
  }
  if (v.first_index) {
    out += "; first at " + ShapeToString(v.first_position) + ": " + v.first_a + " vs " + v.first_b;
  }
  return out;
}

std::string Crc(uint32_t crc) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", crc);
  return buf;
}

std::string EntryLine(const DiffEntry& e) {
  std::string line = "  " + e.name + "  ";
  switch (e.category) {
    case DiffCategory::kRenamed:
      return "  " + e.name + " -> " + e.renamed_to + "  " + Side(e.dtype_a, e.shape_a) +
             (e.evidence == "bytes" ? " (same bytes)" : " (same checksum)");
    case DiffCategory::kOnlyInA:
      return line + Side(e.dtype_a, e.shape_a);
    case DiffCategory::kOnlyInB:
      return line + Side(e.dtype_b, e.shape_b);
    case DiffCategory::kDTypeDiffers:
    case DiffCategory::kShapeDiffers:
      return line + Side(e.dtype_a, e.shape_a) + " vs " + Side(e.dtype_b, e.shape_b);
    default:
      break;
  }
  line += Side(e.dtype_a, e.shape_a);
  if (e.category == DiffCategory::kValuesDiffer && e.evidence == "checksum" && e.crc_a && e.crc_b) {
    line += ": stored checksums differ (" + Crc(*e.crc_a) + " vs " + Crc(*e.crc_b) + ")";
  } else if (e.category == DiffCategory::kValuesDiffer && e.values && e.values->decoded) {
    line += ": " + ValuesLine(*e.values);
  } else if (e.category == DiffCategory::kIdentical && e.values && !e.values->bytes_identical) {
    line += ": equal values, different bytes";
  }
  if (!e.detail.empty()) line += ": " + e.detail;
  return line;
}

std::string VerdictLine(const DiffReport& report) {
  std::string line = std::string(DiffVerdictName(report.Verdict())) + ":";
  bool first = true;
  for (DiffCategory c : kAllDiffCategories) {
    const size_t n = report.Count(c);
    if (n == 0) continue;
    line += std::string(first ? " " : ", ") + std::to_string(n) + " " + std::string(Label(c));
    if (c == DiffCategory::kError && n > 1) line += "s";
    if (c == DiffCategory::kValuesDiffer && !report.options.values) line += " (checksum)";
    first = false;
  }
  if (first) line += " no tensors compared";
  if (!report.options.values && report.Count(DiffCategory::kUnchecked) > 0) {
    line += " (values not compared)";
  }
  return line;
}

Color CategoryColor(DiffCategory c) {
  switch (c) {
    case DiffCategory::kOnlyInA:
    case DiffCategory::kError:
      return Color::kRed;
    case DiffCategory::kOnlyInB:
      return Color::kGreen;
    case DiffCategory::kRenamed:
    case DiffCategory::kDTypeDiffers:
    case DiffCategory::kShapeDiffers:
    case DiffCategory::kValuesDiffer:
      return Color::kYellow;
    case DiffCategory::kIdentical:
    case DiffCategory::kUnchecked:
      break;
  }
  return Color::kNone;
}

Color VerdictColor(DiffVerdict v) {
  return v == DiffVerdict::kSame        ? Color::kGreen
         : v == DiffVerdict::kDifferent ? Color::kYellow
                                        : Color::kRed;
}

}  // namespace

std::string_view DiffVerdictName(DiffVerdict verdict) {
  switch (verdict) {
    case DiffVerdict::kSame:
      return "same";
    case DiffVerdict::kDifferent:
      return "different";
    case DiffVerdict::kError:
      return "error";
  }
  return "?";
}

nlohmann::json ToJson(const DiffReport& report) {
  const DiffOptions& o = report.options;
  nlohmann::json j;
  j["options"] = {{"values", o.values},
                  {"atol", o.atol},
                  {"rtol", o.rtol},
                  {"nan", "NaN equals NaN at the same position"},
                  {"filters", o.filters}};
  nlohmann::json counts = nlohmann::json::object();
  for (DiffCategory c : kAllDiffCategories)
    counts[std::string(DiffCategoryName(c))] = report.Count(c);
  j["counts"] = counts;
  nlohmann::json entries = nlohmann::json::array();
  for (const DiffEntry& e : report.entries) {
    nlohmann::json je = {{"name", e.name}, {"category", DiffCategoryName(e.category)}};
    if (e.in_a) je["a"] = SideJson(e.dtype_a, e.shape_a);
    if (e.in_b) je["b"] = SideJson(e.dtype_b, e.shape_b);
    if (e.crc_a) je["a"]["crc32c"] = Crc(*e.crc_a);
    if (e.crc_b) je["b"]["crc32c"] = Crc(*e.crc_b);
    if (!e.renamed_to.empty()) je["renamed_to"] = e.renamed_to;
    if (!e.evidence.empty()) je["evidence"] = e.evidence;
    if (e.values) je["values"] = ValuesJson(*e.values);
    if (!e.detail.empty()) je["detail"] = e.detail;
    entries.push_back(std::move(je));
  }
  j["entries"] = std::move(entries);
  return j;
}

std::string FormatDiffText(const DiffReport& report, const DiffTextOptions& options) {
  std::string out =
      Paint(VerdictLine(report), VerdictColor(report.Verdict()), options.color) + "\n";
  const DiffOptions& o = report.options;
  if (o.values) {
    out += "values compared with atol=" + Num(o.atol) + ", rtol=" + Num(o.rtol) +
           ", NaN equals NaN at the same position\n";
  }
  for (DiffCategory c : kAllDiffCategories) {
    const size_t n = report.Count(c);
    if (n == 0) continue;
    const bool quiet = c == DiffCategory::kIdentical || c == DiffCategory::kUnchecked;
    std::string body;
    for (const DiffEntry& e : report.entries) {
      if (e.category != c) continue;
      const bool noteworthy = !e.detail.empty() || (c == DiffCategory::kIdentical && e.values &&
                                                    !e.values->bytes_identical);
      if (!quiet || options.list_all || noteworthy) {
        body += Paint(EntryLine(e), CategoryColor(c), options.color) + "\n";
      }
    }
    out += "\n" +
           Paint(std::string(Label(c)) + " (" + std::to_string(n) + ")" + (body.empty() ? "" : ":"),
                 CategoryColor(c), options.color) +
           "\n" + body;
  }
  return out;
}

}  // namespace rescope
