// SPDX-License-Identifier: Apache-2.0
// Parsing typed metadata values from the command line and applying them to a GGUF header.
#include "formats/gguf/gguf_metadata_edit.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "formats/gguf/gguf_writer.h"

namespace rescope::gguf {
namespace {

constexpr std::pair<std::string_view, ValueType> kTypeNames[] = {
    {"uint8", ValueType::kUInt8},     {"int8", ValueType::kInt8},
    {"uint16", ValueType::kUInt16},   {"int16", ValueType::kInt16},
    {"uint32", ValueType::kUInt32},   {"int32", ValueType::kInt32},
    {"uint64", ValueType::kUInt64},   {"int64", ValueType::kInt64},
    {"float32", ValueType::kFloat32}, {"float64", ValueType::kFloat64},
    {"bool", ValueType::kBool},       {"string", ValueType::kString},
};

constexpr const char* kTypeList =
    "uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64, bool, string, "
    "or T[] for an array of T";

std::optional<ValueType> ParseTypeName(std::string_view name) {
  for (const auto& [n, t] : kTypeNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <typename T>
std::optional<T> ParseWhole(std::string_view text) {
  T v{};
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || text.empty()) return std::nullopt;
  return v;
}

template <typename T>
std::optional<uint64_t> IntBits(std::string_view text) {
  // from_chars refuses values outside T's range, and a '-' for unsigned T.
  auto v = ParseWhole<T>(text);
  if (!v) return std::nullopt;
  using U = std::make_unsigned_t<T>;
  return static_cast<uint64_t>(static_cast<U>(*v));
}

// The stored bits of one fixed-size value of `type` written as `text`.
std::optional<uint64_t> ScalarBits(ValueType type, std::string_view text) {
  switch (type) {
    case ValueType::kUInt8:
      return IntBits<uint8_t>(text);
    case ValueType::kInt8:
      return IntBits<int8_t>(text);
    case ValueType::kUInt16:
      return IntBits<uint16_t>(text);
    case ValueType::kInt16:
      return IntBits<int16_t>(text);
    case ValueType::kUInt32:
      return IntBits<uint32_t>(text);
    case ValueType::kInt32:
      return IntBits<int32_t>(text);
    case ValueType::kUInt64:
      return IntBits<uint64_t>(text);
    case ValueType::kInt64:
      return IntBits<int64_t>(text);
    case ValueType::kFloat32: {
      auto v = ParseWhole<float>(text);
      if (!v) return std::nullopt;
      uint32_t bits;
      std::memcpy(&bits, &*v, 4);
      return bits;
    }
    case ValueType::kFloat64: {
      auto v = ParseWhole<double>(text);
      if (!v) return std::nullopt;
      uint64_t bits;
      std::memcpy(&bits, &*v, 8);
      return bits;
    }
    case ValueType::kBool:
      if (text == "true") return 1;
      if (text == "false") return 0;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Result<Value> ParseArray(ValueType element, std::string_view text, const std::string& edit) {
  Value v;
  v.type = ValueType::kArray;
  v.element_type = element;
  const std::string what = edit + ": expected an array of " + ValueTypeName(element);
  if (element == ValueType::kArray) {
    return Status::InvalidArgument(edit + ": nested arrays cannot be set from the command line");
  }
  if (element == ValueType::kString) {
    auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_array()) return Status::InvalidArgument(what + " written [\"a\",\"b\"]");
    for (const auto& item : doc) {
      if (!item.is_string()) return Status::InvalidArgument(what + " written [\"a\",\"b\"]");
      v.strings.push_back(item.get<std::string>());
    }
    v.count = v.strings.size();
    return v;
  }
  text = Trim(text);
  if (text.size() < 2 || text.front() != '[' || text.back() != ']') {
    return Status::InvalidArgument(what + " written [1,2,3]");
  }
  std::string_view body = Trim(text.substr(1, text.size() - 2));
  const uint32_t size = *FixedValueSize(element);
  while (!body.empty()) {
    const size_t comma = body.find(',');
    const std::string_view item = Trim(body.substr(0, comma));
    auto bits = ScalarBits(element, item);
    if (!bits) {
      return Status::InvalidArgument(what + "; element \"" + std::string(item) + "\" is not a " +
                                     ValueTypeName(element));
    }
    for (uint32_t i = 0; i < size; ++i) v.packed.push_back(static_cast<char>(*bits >> (8 * i)));
    ++v.count;
    if (comma == std::string_view::npos) break;
    body.remove_prefix(comma + 1);
    if (Trim(body).empty()) return Status::InvalidArgument(what + "; trailing comma");
  }
  return v;
}

// `type` is the value's type; for an array, `element` its element type.
Result<Value> ParseValue(ValueType type, ValueType element, std::string_view text,
                         const std::string& edit) {
  if (type == ValueType::kArray) return ParseArray(element, text, edit);
  Value v;
  v.type = type;
  if (type == ValueType::kString) {
    v.text = std::string(text);
    return v;
  }
  auto bits = ScalarBits(type, text);
  if (!bits) {
    return Status::InvalidArgument(edit + ": \"" + std::string(text) + "\" is not a " +
                                   ValueTypeName(type) +
                                   (type == ValueType::kBool ? " (true or false)" : ""));
  }
  v.bits = *bits;
  return v;
}

Status RefuseSplitKey(const std::string& key, const std::string& edit) {
  if (!key.starts_with("split.")) return Status::Ok();
  return Status::InvalidArgument(edit + ": " + key +
                                 " describes the files of a split set; rescope sets the split "
                                 "keys itself (name the output <name>-00001-of-0000N.gguf "
                                 "for a split set)");
}

Status ApplySet(std::vector<KeyValue>& metadata, const std::string& edit) {
  const size_t eq = edit.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Status::InvalidArgument("--set " + edit + ": expected KEY=VALUE or KEY:TYPE=VALUE");
  }
  std::string key = edit.substr(0, eq);
  const std::string_view text = std::string_view(edit).substr(eq + 1);
  std::optional<std::string> type_name;
  if (const size_t colon = key.rfind(':'); colon != std::string::npos) {
    type_name = key.substr(colon + 1);
    key.resize(colon);
  }
  const std::string where = "--set " + edit;
  if (key.empty()) return Status::InvalidArgument(where + ": empty key");
  RESCOPE_RETURN_IF_ERROR(RefuseSplitKey(key, where));
  auto it = std::find_if(metadata.begin(), metadata.end(),
                         [&](const KeyValue& kv) { return kv.key == key; });
  ValueType type{}, element{};
  if (type_name) {
    std::string_view name = *type_name;
    const bool array = name.ends_with("[]");
    if (array) name.remove_suffix(2);
    auto t = ParseTypeName(name);
    if (!t) {
      return Status::InvalidArgument(where + ": unknown type \"" + *type_name + "\"; types are " +
                                     kTypeList);
    }
    type = array ? ValueType::kArray : *t;
    element = *t;
  } else if (it != metadata.end()) {
    type = it->value.type;
    element = it->value.element_type;
  } else {
    return Status::InvalidArgument(where + ": " + key +
                                   " is not in the file; a new key needs its type: --set " + key +
                                   ":TYPE=VALUE (" + kTypeList + ")");
  }
  RESCOPE_ASSIGN_OR_RETURN(Value value, ParseValue(type, element, text, where));
  if (it != metadata.end()) {
    it->value = std::move(value);
  } else {
    metadata.push_back({key, std::move(value)});
  }
  return Status::Ok();
}

}  // namespace

Status ApplyMetadataEdits(std::vector<KeyValue>& metadata, const MetadataEdits& edits) {
  for (const std::string& key : edits.deletes) {
    const std::string where = "--delete-key " + key;
    RESCOPE_RETURN_IF_ERROR(RefuseSplitKey(key, where));
    auto it = std::find_if(metadata.begin(), metadata.end(),
                           [&](const KeyValue& kv) { return kv.key == key; });
    if (it == metadata.end()) {
      return Status::InvalidArgument(where + ": no such key in the metadata");
    }
    metadata.erase(it);
  }
  for (const std::string& edit : edits.sets) RESCOPE_RETURN_IF_ERROR(ApplySet(metadata, edit));
  // The writer lays the tensors out at the alignment the metadata names, so any valid value
  // is consistent; an invalid one would make ggml refuse the file.
  if (auto alignment = AlignmentOf(metadata); !alignment.ok()) return alignment.status();
  return Status::Ok();
}

}  // namespace rescope::gguf
