// SPDX-License-Identifier: Apache-2.0
// The rename-map options shared by `rename`, `diff`, `check` and `convert`:
// --map FILE (repeatable), --rule FROM=TO (repeatable), --drop PATTERN (repeatable).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/rename/rename_rules.h"
#include "core/store/tensor_store.h"

namespace rescope::cli {

struct MapOptions {
  std::vector<std::string> map_files;
  std::vector<std::string> rules;
  std::vector<std::string> drops;
  // --allow-unmatched: rules that match nothing and unresolved map entries are warnings.
  bool allow_unmatched = false;
  bool empty() const { return map_files.empty() && rules.empty() && drops.empty(); }
};

void AddMapOptions(CLI::App* app, MapOptions& options, bool with_drop = true);

// Loads every map file, then the inline rules, then the drops, in that order.
Result<RenameMap> BuildRenameMap(const MapOptions& options);

// "transpose" or "permute [3, 2, 0, 1]", as a rule would say it.
std::string TransformText(const std::vector<int>& permute);

// Per rule of `map`: how many variables and how many optimizer slots the plan moves (or
// drops) by it, slots counted whether they followed their variable or matched themselves.
struct RuleMoves {
  size_t variables = 0;
  size_t slots = 0;
};
std::vector<RuleMoves> CountRuleMoves(const RenamePlan& plan, const RenameMap& map);

// Prints a plan as `rename --dry-run` shows it: one line per change ("  a -> b",
// "  a -> b  (transpose)", "  drop c"), a summary line, when optimizer slots moved one line
// per rule saying how many ("  --rule #1 (a/=b/): 2 variables, 4 optimizer slots"), then
// unmatched rules.
void PrintPlan(const RenamePlan& plan, const RenameMap& map);

// The plan without its per-name lines, what a real `rename` prints by default: the summary
// line, one line per rule that moved anything ("  --rule #1 (a/=b/): 2 variables, 4
// optimizer slots"), then unmatched rules.
void PrintPlanSummary(const RenamePlan& plan, const RenameMap& map);

// Plans `map` over `store` (PlanStoreRename, so transforms are validated too) and prints
// the plan's warnings. On errors prints each, then "rename plan has N error(s); <outcome>",
// and returns nullopt: the caller exits with kExitError.
std::optional<RenamePlan> PlanOrReport(const TensorStore& store, const RenameMap& map,
                                       const PlanOptions& options, std::string_view outcome);

// For diff and check: `store` with A's names mapped (and values transformed) the way
// `rename` would, or nullopt after reporting plan errors. An empty map returns the store.
std::optional<TensorStore> MapStoreOrReport(TensorStore store, const RenameMap& map,
                                            const MapOptions& options);

}  // namespace rescope::cli
