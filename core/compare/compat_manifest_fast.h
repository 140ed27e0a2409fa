// SPDX-License-Identifier: Apache-2.0
// The fast path of ParseManifest (core/compare/compat.h) for large manifests: simdjson parses the
// document, then the same checks as the strict reader run on it. It answers only when
// it is certain: the document is valid JSON and every variable passes. Anything else (an
// error, a duplicate key or name, a number the strict reader might classify otherwise)
// returns nullopt and the strict nlohmann reader decides, so results and messages are
// the same with or without it. Without simdjson at build time it always returns nullopt.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "core/compare/compat.h"

namespace rescope {

std::optional<std::vector<ExpectedVar>> ParseManifestFast(std::string_view json_text);

// False when rescope was built without simdjson (ParseManifestFast always declines).
bool ManifestFastPathAvailable();

// The strict reader alone (nlohmann), which ParseManifest falls back to.
Result<std::vector<ExpectedVar>> ParseManifestStrict(std::string_view json_text,
                                                     std::string_view source);

// The "bytes" rule shared by both readers: for fixed-size dtypes, bytes must equal
// elements * element size (true when the dtype has no fixed size or the product overflows).
bool ManifestBytesMatch(const ExpectedVar& v);

}  // namespace rescope
