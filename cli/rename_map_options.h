// The rename-map options shared by `rename`, `diff`, `check` and `convert`:
// --map FILE (repeatable), --rule FROM=TO (repeatable), --drop PATTERN (repeatable).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/rename_rules.h"

namespace rescope::cli {

struct MapOptions {
  std::vector<std::string> map_files;
  std::vector<std::string> rules;
  std::vector<std::string> drops;
  bool empty() const { return map_files.empty() && rules.empty() && drops.empty(); }
};

void AddMapOptions(CLI::App* app, MapOptions& options, bool with_drop = true);

// Loads every map file, then the inline rules, then the drops, in that order.
Result<RenameMap> BuildRenameMap(const MapOptions& options);

}  // namespace rescope::cli
