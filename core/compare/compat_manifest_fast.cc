// SPDX-License-Identifier: Apache-2.0
// simdjson fast path of the manifest reader; see compat_manifest_fast.h.
#include "core/compare/compat_manifest_fast.h"

#include <cstdint>
#include <string>
#include <unordered_set>

#ifdef RESCOPE_HAVE_SIMDJSON
#include <simdjson.h>
#endif

namespace rescope {

bool ManifestBytesMatch(const ExpectedVar& v) {
  if (!v.bytes) return true;
  const std::optional<uint32_t> size = DTypeElementSize(v.dtype);
  const std::optional<uint64_t> count = ShapeNumElements(v.shape);
  return !(size && count && *count <= UINT64_MAX / *size && *count * *size != *v.bytes);
}

#ifdef RESCOPE_HAVE_SIMDJSON
bool ManifestFastPathAvailable() { return true; }

namespace {

namespace dom = simdjson::dom;

// A non-negative integer as the strict reader sees one. simdjson stores "0" and "-0"
// alike, and the strict reader refuses "-0" (a signed integer), so a zero is left to it.
std::optional<uint64_t> PositiveInteger(dom::element e) {
  if (e.type() != dom::element_type::INT64 && e.type() != dom::element_type::UINT64) {
    return std::nullopt;
  }
  uint64_t value = 0;
  if (e.get_uint64().get(value) != simdjson::SUCCESS || value == 0) return std::nullopt;
  return value;
}

// One variable, or nullopt when the strict reader should look at it (see the header).
std::optional<ExpectedVar> ReadVariable(dom::element element) {
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
  std::optional<dom::element> name, dtype, shape, bytes;
  for (const dom::key_value_pair field : object) {
    std::optional<dom::element>* slot = field.key == "name"    ? &name
                                        : field.key == "dtype" ? &dtype
                                        : field.key == "shape" ? &shape
                                        : field.key == "bytes" ? &bytes
                                                               : nullptr;
    if (slot == nullptr) continue;               // unknown keys are ignored
    if (slot->has_value()) return std::nullopt;  // duplicate: the strict reader keeps the last
    *slot = field.value;
  }
  ExpectedVar out;
  std::string_view text;
  if (!name || name->get_string().get(text) != simdjson::SUCCESS || text.empty()) {
    return std::nullopt;
  }
  out.name = std::string(text);
  if (!dtype || dtype->get_string().get(text) != simdjson::SUCCESS) return std::nullopt;
  const std::optional<DType> parsed = ParseDTypeName(text);
  if (!parsed) return std::nullopt;
  out.dtype = *parsed;
  dom::array dims;
  if (!shape || shape->get_array().get(dims) != simdjson::SUCCESS) return std::nullopt;
  out.shape.reserve(dims.size());
  for (const dom::element dim : dims) {
    const std::optional<uint64_t> value = PositiveInteger(dim);
    if (!value || *value > uint64_t{INT64_MAX}) return std::nullopt;
    out.shape.push_back(static_cast<int64_t>(*value));
  }
  if (bytes) {
    out.bytes = PositiveInteger(*bytes);
    if (!out.bytes || !ManifestBytesMatch(out)) return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<std::vector<ExpectedVar>> ParseManifestFast(std::string_view json_text) {
  dom::parser parser;
  const simdjson::padded_string padded(json_text);
  dom::object top;
  if (parser.parse(padded).get_object().get(top) != simdjson::SUCCESS) return std::nullopt;
  std::optional<dom::element> format, variables;
  for (const dom::key_value_pair field : top) {
    std::optional<dom::element>* slot = field.key == "format"      ? &format
                                        : field.key == "variables" ? &variables
                                                                   : nullptr;
    if (slot == nullptr) continue;
    if (slot->has_value()) return std::nullopt;
    *slot = field.value;
  }
  if (format && !format->is_string()) return std::nullopt;
  dom::array list;
  if (!variables || variables->get_array().get(list) != simdjson::SUCCESS) return std::nullopt;
  std::vector<ExpectedVar> out;
  out.reserve(list.size());
  std::unordered_set<std::string_view> names;
  names.reserve(list.size());
  for (const dom::element element : list) {
    std::optional<ExpectedVar> v = ReadVariable(element);
    if (!v) return std::nullopt;
    out.push_back(std::move(*v));
  }
  // Views into `out`, which no longer grows.
  for (const ExpectedVar& v : out) {
    if (!names.insert(v.name).second) return std::nullopt;  // duplicate name: an error
  }
  return out;
}

#else

bool ManifestFastPathAvailable() { return false; }

std::optional<std::vector<ExpectedVar>> ParseManifestFast(std::string_view) { return std::nullopt; }

#endif

}  // namespace rescope
