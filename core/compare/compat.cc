// SPDX-License-Identifier: Apache-2.0
// Restore-compatibility classification and manifest parsing.
#include "core/compare/compat.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/compare/compat_manifest_fast.h"
#include "core/rename/name_glob.h"

namespace rescope {
namespace {

using Json = nlohmann::json;

CheckItem FromCheckpoint(const TensorEntry& e) {
  CheckItem item;
  item.name = e.name;
  item.in_checkpoint = true;
  item.ckpt_dtype = e.dtype;
  item.ckpt_shape = e.shape;
  return item;
}

void SetExpected(CheckItem& item, const ExpectedVar& v) {
  item.in_expected = true;
  item.expected_dtype = v.dtype;
  item.expected_shape = v.shape;
  item.expected_bytes = v.bytes;
}

// ---- manifest parsing ----

Status ManifestError(std::string_view source, const std::string& where, const std::string& what) {
  return Status::InvalidArgument(std::string(source) + ": " + where + ": " + what);
}

Result<ExpectedVar> ParseVariable(const Json& v, std::string_view source, size_t index) {
  // Built only for an error: a 100,000-entry manifest should not format 100,000 strings.
  const auto position = [index] { return "variables[" + std::to_string(index) + "]"; };
  if (!v.is_object()) return ManifestError(source, position(), "expected an object");
  const auto name = v.find("name");
  if (name == v.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return ManifestError(source, position(), "\"name\": expected a non-empty string");
  }
  ExpectedVar out;
  out.name = name->get<std::string>();
  const auto where = [&] { return position() + " (\"" + out.name + "\")"; };
  const auto dtype = v.find("dtype");
  if (dtype == v.end() || !dtype->is_string()) {
    return ManifestError(source, where(), "\"dtype\": expected a dtype name");
  }
  const std::optional<DType> parsed = ParseDTypeName(dtype->get_ref<const std::string&>());
  if (!parsed) {
    return ManifestError(source, where(),
                         "\"dtype\": unknown dtype \"" + dtype->get<std::string>() + "\"");
  }
  out.dtype = *parsed;
  const auto shape = v.find("shape");
  const bool shape_ok = shape != v.end() && shape->is_array() &&
                        std::all_of(shape->begin(), shape->end(), [](const Json& d) {
                          return d.is_number_unsigned() && d.get<uint64_t>() <= uint64_t{INT64_MAX};
                        });
  if (!shape_ok) {
    return ManifestError(source, where(), "\"shape\": expected an array of non-negative integers");
  }
  for (const Json& d : *shape) out.shape.push_back(d.get<int64_t>());
  if (const auto bytes = v.find("bytes"); bytes != v.end()) {
    if (!bytes->is_number_unsigned()) {
      return ManifestError(source, where(), "\"bytes\": expected a non-negative integer");
    }
    out.bytes = bytes->get<uint64_t>();
    if (!ManifestBytesMatch(out)) {
      const uint64_t expected = *ShapeNumElements(out.shape) * *DTypeElementSize(out.dtype);
      return ManifestError(source, where(),
                           "\"bytes\": " + std::to_string(*out.bytes) + " does not match " +
                               DTypeName(out.dtype) + " " + ShapeToString(out.shape) +
                               " (expected " + std::to_string(expected) + ")");
    }
  }
  return out;
}

}  // namespace

std::string_view CheckCategoryName(CheckCategory category) {
  switch (category) {
    case CheckCategory::kMissing:
      return "missing";
    case CheckCategory::kDTypeMismatch:
      return "dtype_mismatch";
    case CheckCategory::kShapeMismatch:
      return "shape_mismatch";
    case CheckCategory::kUnused:
      return "unused";
    case CheckCategory::kSetAside:
      return "set_aside";
    case CheckCategory::kRestorable:
      return "restorable";
  }
  return "unknown";
}

size_t CheckReport::Count(CheckCategory category, bool include_excused) const {
  return static_cast<size_t>(std::count_if(items.begin(), items.end(), [&](const CheckItem& i) {
    return i.category == category && (include_excused || !i.excused);
  }));
}

bool CheckReport::Compatible() const {
  return Count(CheckCategory::kMissing, false) == 0 && Count(CheckCategory::kDTypeMismatch) == 0 &&
         Count(CheckCategory::kShapeMismatch) == 0;
}

CheckReport CheckCompat(const TensorStore& ckpt, const std::vector<ExpectedVar>& expected,
                        const CheckOptions& options) {
  const SetAsideClassifier set_aside =
      options.set_aside ? options.set_aside : SetAsideClassifier(IsSetAsideForModelOnly);
  // Both sides as name-sorted lists, merged in one pass: no map of either side is built
  // (100,000-entry manifests). A stable sort keeps the first of duplicate expected names.
  std::vector<const ExpectedVar*> wanted;
  wanted.reserve(expected.size());
  for (const ExpectedVar& v : expected) wanted.push_back(&v);
  const auto by_name = [](const ExpectedVar* x, const ExpectedVar* y) { return x->name < y->name; };
  if (!std::is_sorted(wanted.begin(), wanted.end(), by_name)) {
    std::stable_sort(wanted.begin(), wanted.end(), by_name);
  }
  // The store's own key of each entry (its name), with the entry.
  std::vector<std::pair<std::string_view, const TensorEntry*>> have;
  have.reserve(ckpt.size());
  for (const auto& [name, entry] : ckpt) {
    if (entry.kind != EntryKind::kSlice) have.emplace_back(name, &entry);
  }
  if (!std::is_sorted(have.begin(), have.end())) std::sort(have.begin(), have.end());

  CheckReport report;
  report.model_only = options.model_only;
  report.items.reserve(std::max(have.size(), wanted.size()));
  auto w = wanted.begin();
  for (auto h = have.begin(); h != have.end() || w != wanted.end();) {
    const int order = h == have.end() ? 1 : w == wanted.end() ? -1 : h->first.compare((*w)->name);
    if (order > 0) {  // expected only
      const ExpectedVar& var = **w;
      CheckItem item;
      item.name = var.name;
      SetExpected(item, var);
      if (options.model_only && set_aside(var.name)) {
        item.category = CheckCategory::kSetAside;
      } else {
        item.category = CheckCategory::kMissing;
        item.excused = GlobMatchAny(options.allow_missing, var.name);
      }
      report.items.push_back(std::move(item));
      ++w;
    } else {
      const auto [name, entry_ptr] = *h;
      const TensorEntry& entry = *entry_ptr;
      CheckItem item = FromCheckpoint(entry);
      if (order == 0) SetExpected(item, **w);
      if (options.model_only && (entry.is_metadata || set_aside(name))) {
        item.category = CheckCategory::kSetAside;
      } else if (!item.in_expected) {
        item.category = CheckCategory::kUnused;
        item.excused = GlobMatchAny(options.ignore_unused, name);
      } else if (item.ckpt_dtype != item.expected_dtype) {
        item.category = CheckCategory::kDTypeMismatch;
      } else if (item.ckpt_shape != item.expected_shape) {
        item.category = CheckCategory::kShapeMismatch;
      } else {
        item.category = CheckCategory::kRestorable;
      }
      report.items.push_back(std::move(item));
      ++h;
    }
    // Later expected entries of the name just placed are duplicates: the first counted.
    if (order >= 0) {
      const std::string& placed = report.items.back().name;
      while (w != wanted.end() && (*w)->name == placed) ++w;
    }
  }
  return report;
}

Result<std::vector<ExpectedVar>> ParseManifest(std::string_view json_text,
                                               std::string_view source) {
  if (std::optional<std::vector<ExpectedVar>> fast = ParseManifestFast(json_text)) {
    return std::move(*fast);
  }
  return ParseManifestStrict(json_text, source);
}

Result<std::vector<ExpectedVar>> ParseManifestStrict(std::string_view json_text,
                                                     std::string_view source) {
  Json doc;
  try {
    doc = Json::parse(json_text);
  } catch (const Json::exception& e) {  // parse_error, or out_of_range for huge numbers
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix.
    if (const size_t close = what.find("] ");
        what.starts_with("[json.") && close != std::string::npos) {
      what = what.substr(close + 2);
    }
    return Status::InvalidArgument(std::string(source) + ": invalid JSON: " + what);
  }
  if (!doc.is_object()) return ManifestError(source, "top level", "expected a JSON object");
  if (const auto f = doc.find("format"); f != doc.end() && !f->is_string()) {
    return ManifestError(source, "\"format\"", "expected a string");
  }
  const auto vars = doc.find("variables");
  if (vars == doc.end()) {
    return ManifestError(source, "\"variables\"",
                         "missing: not a manifest (`rescope ls --json` writes one), which lists "
                         "the expected variables under \"variables\"");
  }
  if (!vars->is_array()) {
    return ManifestError(source, "\"variables\"", "expected an array of variables");
  }
  std::vector<ExpectedVar> out;
  std::map<std::string, size_t, std::less<>> first_index;
  for (size_t i = 0; i < vars->size(); ++i) {
    RESCOPE_ASSIGN_OR_RETURN(ExpectedVar v, ParseVariable((*vars)[i], source, i));
    const auto [it, inserted] = first_index.emplace(v.name, i);
    if (!inserted) {
      return ManifestError(
          source, "variables[" + std::to_string(i) + "] (\"" + v.name + "\")",
          "duplicate name (first at variables[" + std::to_string(it->second) + "])");
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace rescope
