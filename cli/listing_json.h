// SPDX-License-Identifier: Apache-2.0
// The JSON listing schema shared by `ls --json` and `info --json`, and accepted back as a
// manifest by `check --expect`: {"format", "path", "variables": [{"name", "dtype",
// "shape", "bytes", ...}]}.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/tensor_store.h"

namespace rescope::cli {

nlohmann::ordered_json EntryJson(const TensorStore& store, const TensorEntry& e);
nlohmann::ordered_json ListingJson(const Checkpoint& ckpt,
                                   const std::vector<const TensorEntry*>& rows);

}  // namespace rescope::cli
