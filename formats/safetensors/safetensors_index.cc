// SPDX-License-Identifier: Apache-2.0
// Sharded-set index JSON: reading with nlohmann, writing in Python's json.dumps layout.
#include "formats/safetensors/safetensors_index.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

namespace rescope::safetensors {
namespace {

using Json = nlohmann::json;

const char* TypeName(const Json& j) { return j.type_name(); }

// Shard names come from a file the user may not have written: keep them inside the
// index's directory.
bool IsSafeRelativePath(const std::string& p) {
  if (p.empty() || p[0] == '/' || p.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= p.size()) {
    const size_t slash = std::min(p.find('/', start), p.size());
    if (p.compare(start, slash - start, "..") == 0 && slash - start == 2) return false;
    start = slash + 1;
  }
  return true;
}

// Python's json encoder with ensure_ascii: every character outside ' '..'~' is escaped,
// non-BMP ones as a surrogate pair.
void AppendPythonString(std::string& out, const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto u4 = [&](uint32_t v) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(v >> shift) & 0xF];
  };
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    const char* shortcut = c == '\n'   ? "\\n"
                           : c == '\r' ? "\\r"
                           : c == '\t' ? "\\t"
                           : c == '\b' ? "\\b"
                           : c == '\f' ? "\\f"
                                       : nullptr;
    if (shortcut != nullptr) {
      out += shortcut;
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence (nlohmann only hands out valid UTF-8).
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0)
      cp = c & 0x07, len = 4;
    else if (c >= 0xE0)
      cp = c & 0x0F, len = 3;
    else if (c >= 0xC0)
      cp = c & 0x1F, len = 2;
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u4(0xD800 + (cp >> 10));
      u4(0xDC00 + (cp & 0x3FF));
    } else {
      u4(cp);
    }
  }
  out += '"';
}

void AppendPython(std::string& out, const Json& j, int indent) {
  const std::string pad(static_cast<size_t>(indent + 2), ' ');
  const std::string close(static_cast<size_t>(indent), ' ');
  if (j.is_object()) {
    if (j.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    for (const auto& [k, v] : j.items()) {  // nlohmann::json keeps keys sorted
      if (!first) out += ",\n";
      first = false;
      out += pad;
      AppendPythonString(out, k);
      out += ": ";
      AppendPython(out, v, indent + 2);
    }
    out += "\n" + close + "}";
  } else if (j.is_array()) {
    if (j.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (size_t i = 0; i < j.size(); ++i) {
      if (i) out += ",\n";
      out += pad;
      AppendPython(out, j[i], indent + 2);
    }
    out += "\n" + close + "]";
  } else if (j.is_string()) {
    AppendPythonString(out, j.get<std::string>());
  } else {
    out += j.dump();
  }
}

Status CheckWeightMap(const std::string& name, const Json& map, ShardIndex& index) {
  if (!map.is_object()) {
    return Status::Corruption(name + ": weight_map is not an object (found " + TypeName(map) + ")");
  }
  std::map<std::string, bool> files;
  for (const auto& [tensor, file] : map.items()) {
    if (!file.is_string()) {
      return Status::Corruption(name + ": weight_map: \"" + tensor +
                                "\": file name is not a string (found " + TypeName(file) + ")");
    }
    const std::string f = file.get<std::string>();
    if (!IsSafeRelativePath(f)) {
      return Status::Corruption(name + ": weight_map: \"" + tensor + "\": shard file name \"" + f +
                                "\" is not a relative path inside the index's directory");
    }
    index.weight_map.emplace_back(tensor, f);
    files[f] = true;
  }
  for (const auto& [f, unused] : files) index.shard_files.push_back(f);
  return Status::Ok();
}

}  // namespace

Result<ShardIndex> ParseShardIndex(const std::string& name, std::string_view text) {
  // ordered_json keeps the file's metadata order for display; weight_map is re-sorted.
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    std::string detail = e.what();
    const size_t at = detail.find("parse error");
    const size_t colon = at == std::string::npos ? std::string::npos : detail.find(": ", at);
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
    return Status::Corruption(name + ": not valid JSON (" + detail + ")");
  }
  if (!doc.is_object()) {
    return Status::Corruption(name + ": not a JSON object (found " + doc.type_name() + ")");
  }
  ShardIndex index;
  if (doc.contains("metadata") && !doc["metadata"].is_null()) {
    const auto& meta = doc["metadata"];
    if (!meta.is_object()) {
      return Status::Corruption(name + ": metadata is not an object (found " + meta.type_name() +
                                ")");
    }
    for (const auto& [k, v] : meta.items()) index.metadata.emplace_back(k, v.dump());
  }
  if (!doc.contains("weight_map")) return Status::Corruption(name + ": no \"weight_map\"");
  RESCOPE_RETURN_IF_ERROR(CheckWeightMap(name, Json(doc["weight_map"]), index));
  return index;
}

Result<std::string> SerializeShardIndex(
    const std::vector<std::pair<std::string, std::string>>& metadata,
    const std::vector<std::pair<std::string, std::string>>& weight_map) {
  Json meta = Json::object();
  for (const auto& [k, text] : metadata) {
    try {
      meta[k] = Json::parse(text);
    } catch (const Json::exception&) {
      return Status::InvalidArgument("index metadata \"" + k + "\": value is not JSON: " + text);
    }
  }
  Json map = Json::object();
  for (const auto& [tensor, file] : weight_map) map[tensor] = file;
  Json doc = Json::object();
  doc["metadata"] = std::move(meta);
  doc["weight_map"] = std::move(map);
  std::string out;
  AppendPython(out, doc, 0);
  out += '\n';
  return out;
}

}  // namespace rescope::safetensors
