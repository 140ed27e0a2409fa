// SPDX-License-Identifier: Apache-2.0
#include "formats/tf_bundle/saved_model_layout.h"

#include <filesystem>

namespace rescope::tfbundle {

std::optional<std::string> SavedModelDirectoryOf(const std::string& prefix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path path = fs::absolute(fs::path(prefix), ec);
  if (ec || path.filename() != kVariablesDir || path.parent_path().filename() != kVariablesDir) {
    return std::nullopt;
  }
  const fs::path dir = fs::path(prefix).parent_path().parent_path();
  for (const char* graph : {kSavedModelPb, kSavedModelPbtxt, kSavedModelCpb}) {
    if (fs::is_regular_file((dir.empty() ? fs::path(".") : dir) / graph, ec)) {
      return dir.empty() ? std::string(".") : dir.string();
    }
  }
  return std::nullopt;
}

}  // namespace rescope::tfbundle
