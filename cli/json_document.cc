// SPDX-License-Identifier: Apache-2.0
#include "cli/json_document.h"

#include <algorithm>
#include <iostream>

namespace rescope::cli {

nlohmann::ordered_json JsonDocument(const std::string& command, bool ok) {
  nlohmann::ordered_json doc;
  doc["schema_version"] = kJsonSchemaVersion;
  doc["command"] = command;
  doc["ok"] = ok;
  return doc;
}

void AppendKeys(nlohmann::ordered_json& doc, const nlohmann::json& body) {
  for (auto it = body.begin(); it != body.end(); ++it) doc[it.key()] = it.value();
}

void AppendKeys(nlohmann::ordered_json& doc, const nlohmann::ordered_json& body) {
  for (auto it = body.begin(); it != body.end(); ++it) doc[it.key()] = it.value();
}

std::string JsonKey(const std::string& label) {
  std::string key;
  for (char c : label) {
    if (c >= 'A' && c <= 'Z') {
      key.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
      key.push_back(c);
    } else if (key.empty() || key.back() != '_') {
      key.push_back('_');  // "index data blocks" -> "index_data_blocks"
    }
  }
  return key;
}

nlohmann::ordered_json JsonValue(const std::string& text) {
  // Up to 18 digits always fits an int64; no sign, no leading zero ("007" stays text).
  const bool integer =
      !text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      (text.size() == 1 || text[0] != '0');
  if (integer) return std::stoll(text);
  return text;
}

void PrintJson(const nlohmann::ordered_json& doc, int indent) {
  std::cout << doc.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace rescope::cli
