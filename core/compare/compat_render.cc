// SPDX-License-Identifier: Apache-2.0
// JSON and text output of compatibility checks and suggestions.
#include "core/compare/compat_render.h"

#include "core/output/ansi_color.h"

namespace rescope {
namespace {

std::string_view Label(CheckCategory c) {
  switch (c) {
    case CheckCategory::kMissing:
      return "missing";
    case CheckCategory::kDTypeMismatch:
      return "dtype mismatch";
    case CheckCategory::kShapeMismatch:
      return "shape mismatch";
    case CheckCategory::kUnused:
      return "unused";
    case CheckCategory::kSetAside:
      return "set aside";
    case CheckCategory::kRestorable:
      return "restorable";
  }
  return "?";
}

std::string Side(DType dtype, const std::vector<int64_t>& shape) {
  return DTypeName(dtype) + " " + ShapeToString(shape);
}

std::string ItemLine(const CheckItem& i) {
  std::string line = "  " + i.name + "  ";
  switch (i.category) {
    case CheckCategory::kDTypeMismatch:
    case CheckCategory::kShapeMismatch:
      line += "checkpoint " + Side(i.ckpt_dtype, i.ckpt_shape) + " vs expected " +
              Side(i.expected_dtype, i.expected_shape);
      break;
    case CheckCategory::kSetAside:
      line += i.in_checkpoint ? Side(i.ckpt_dtype, i.ckpt_shape)
                              : Side(i.expected_dtype, i.expected_shape);
      line += i.in_checkpoint && i.in_expected ? " (both)"
              : i.in_checkpoint                ? " (checkpoint)"
                                               : " (expected)";
      break;
    default:
      line += i.in_checkpoint ? Side(i.ckpt_dtype, i.ckpt_shape)
                              : Side(i.expected_dtype, i.expected_shape);
  }
  if (i.excused) line += i.category == CheckCategory::kMissing ? " (allowed)" : " (ignored)";
  return line;
}

std::string CountText(const CheckReport& r, CheckCategory c) {
  const size_t n = r.Count(c);
  std::string text = std::to_string(n) + " " + std::string(Label(c));
  const size_t excused = n - r.Count(c, false);
  if (excused > 0) {
    text +=
        " (" + std::to_string(excused) + (c == CheckCategory::kMissing ? " allowed)" : " ignored)");
  }
  return text;
}

Color CategoryColor(CheckCategory c) {
  switch (c) {
    case CheckCategory::kMissing:
    case CheckCategory::kDTypeMismatch:
    case CheckCategory::kShapeMismatch:
      return Color::kRed;
    case CheckCategory::kUnused:
      return Color::kYellow;
    case CheckCategory::kRestorable:
      return Color::kGreen;
    case CheckCategory::kSetAside:
      break;
  }
  return Color::kNone;
}

}  // namespace

nlohmann::json ToJson(const CheckReport& report) {
  nlohmann::json counts = nlohmann::json::object();
  for (CheckCategory c : kAllCheckCategories) {
    counts[std::string(CheckCategoryName(c))] = report.Count(c);
  }
  nlohmann::json items = nlohmann::json::array();
  for (const CheckItem& i : report.items) {
    nlohmann::json j = {{"name", i.name}, {"category", CheckCategoryName(i.category)}};
    if (i.excused) j["excused"] = true;
    if (i.in_checkpoint) {
      j["checkpoint"] = {{"dtype", DTypeName(i.ckpt_dtype)}, {"shape", i.ckpt_shape}};
    }
    if (i.in_expected) {
      j["expected"] = {{"dtype", DTypeName(i.expected_dtype)}, {"shape", i.expected_shape}};
      if (i.expected_bytes) j["expected"]["bytes"] = *i.expected_bytes;
    }
    items.push_back(std::move(j));
  }
  return {{"model_only", report.model_only},
          {"counts", std::move(counts)},
          {"excused",
           {{"missing",
             report.Count(CheckCategory::kMissing) - report.Count(CheckCategory::kMissing, false)},
            {"unused",
             report.Count(CheckCategory::kUnused) - report.Count(CheckCategory::kUnused, false)}}},
          {"entries", std::move(items)}};
}

std::string FormatCheckText(const CheckReport& report, const CheckTextOptions& options) {
  std::string out = report.Compatible() ? "compatible:" : "incompatible:";
  bool first = true;
  for (CheckCategory c : kAllCheckCategories) {
    if (report.Count(c) == 0) continue;
    out += (first ? " " : ", ") + CountText(report, c);
    first = false;
  }
  if (first) out += " nothing to check";
  out = Paint(out, report.Compatible() ? Color::kGreen : Color::kRed, options.color) + "\n";
  for (CheckCategory c : kAllCheckCategories) {
    const size_t n = report.Count(c);
    if (n == 0) continue;
    const bool list = c != CheckCategory::kRestorable || options.list_all;
    const Color color = CategoryColor(c);
    out += "\n" +
           Paint(std::string(Label(c)) + " (" + std::to_string(n) + ")" + (list ? ":" : ""), color,
                 options.color) +
           "\n";
    if (!list) continue;
    for (const CheckItem& i : report.items) {
      if (i.category == c) out += Paint(ItemLine(i), color, options.color) + "\n";
    }
  }
  return out;
}

std::string FormatSuggestText(const SuggestReport& report) {
  std::string out;
  for (const SuggestedRule& r : report.rules) {
    out += std::string(r.is_scope ? "scope " : "name ") + r.from + " -> " + r.to;
    if (r.transpose) out += " (transpose)";
    if (r.weak) out += "  [weak: " + r.why.substr(r.why.starts_with("weak: ") ? 6 : 0) + "]";
    out += "\n";
  }
  for (const UnresolvedTarget& u : report.unresolved) {
    out += "unresolved " + u.to + ": ";
    if (u.candidates.empty()) {
      out += "no candidate (" + u.why + ")\n";
      continue;
    }
    out += "candidates ";
    for (size_t k = 0; k < u.candidates.size(); ++k) {
      out += (k ? ", " : "") + u.candidates[k];
    }
    out += " (" + u.why + ")\n";
  }
  return out;
}

}  // namespace rescope
