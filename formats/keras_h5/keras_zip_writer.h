// SPDX-License-Identifier: Apache-2.0
// Rewriting a .keras archive with a new model.weights.h5 (and optionally config.json).
#pragma once

#include <optional>
#include <string>

#include "core/store/status.h"

namespace rescope {

// Writes the zip `out_path` (must not exist) with the members of `source_zip` in their
// order: model.weights.h5 replaced by the file `weights_h5`, config.json by
// `config_json` when given (both STORED, as Keras writes them), every other member
// copied unchanged (its compressed bytes, method and date). Uses libzip; zip64 as needed.
// Errors (kIOError): "<path>: libzip: <message>".
Status RewriteKerasArchive(const std::string& source_zip, const std::string& weights_h5,
                           const std::optional<std::string>& config_json,
                           const std::string& out_path);

}  // namespace rescope
