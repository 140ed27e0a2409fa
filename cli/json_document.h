// SPDX-License-Identifier: Apache-2.0
// The envelope every `--json` document shares (docs/json-schema/README.md): the keys
// "schema_version", "command" and "ok" first, then the command's own keys.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace rescope::cli {

inline constexpr int kJsonSchemaVersion = 1;

// {"schema_version": 1, "command": command, "ok": ok}
nlohmann::ordered_json JsonDocument(const std::string& command, bool ok);

// Appends every key of `body` (in its order) to `doc`.
void AppendKeys(nlohmann::ordered_json& doc, const nlohmann::json& body);
void AppendKeys(nlohmann::ordered_json& doc, const nlohmann::ordered_json& body);

// A free-form property of a format ("index compression" -> "1") as JSON: the key in
// snake_case ("index_compression"), a value that is a plain decimal integer as a number.
std::string JsonKey(const std::string& label);
nlohmann::ordered_json JsonValue(const std::string& text);

// Prints `doc` on stdout; invalid UTF-8 in names is replaced, not an exception.
// indent -1 prints one line (large value arrays).
void PrintJson(const nlohmann::ordered_json& doc, int indent = 2);

}  // namespace rescope::cli
