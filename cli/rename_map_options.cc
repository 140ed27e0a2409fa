// SPDX-License-Identifier: Apache-2.0
// Building a RenameMap from command-line options.
#include "cli/rename_map_options.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli_common.h"
#include "cli/shipped_maps.h"
#include "core/values/tensor_transform.h"

namespace rescope::cli {

void AddMapOptions(CLI::App* app, MapOptions& o, bool with_drop) {
  app->add_option("--map", o.map_files,
                  "JSON rename map file ({\"rules\": [...]} or a TF assignment_map), or the "
                  "name of a shipped map (`rescope maps list`); repeatable");
  app->add_option("--rule", o.rules,
                  "FROM=TO; a side ending in '/' is a scope (repeatable, tried in order)");
  if (with_drop) app->add_option("--drop", o.drops, "Drop variables: glob, or scope ending in '/'");
  app->add_flag("--allow-unmatched", o.allow_unmatched,
                "Rules that match nothing and unresolved map entries are warnings, not errors");
}

namespace {

// The whole map file in a string of its size: a 50 MB map takes 50 MB (a growing stream
// buffer took up to twice that). Anything but a regular file (a pipe, a directory) has no
// size to trust and is read as a stream, as before.
Result<std::string> ReadMapText(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IOError(file + ": cannot open rename map");
  std::string text;
  std::error_code error;
  const bool regular = std::filesystem::is_regular_file(file, error);
  const uintmax_t size = regular ? std::filesystem::file_size(file, error) : 0;
  if (regular && !error && size > 0) {
    text.resize(static_cast<size_t>(size));
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<size_t>(in.gcount()));
  }
  in.clear();
  std::ostringstream rest;  // a pipe's bytes, or any written since the size was taken
  rest << in.rdbuf();
  if (in.bad()) return Status::IOError(file + ": cannot read rename map");
  text += std::move(rest).str();
  return text;
}

}  // namespace

Result<RenameMap> BuildRenameMap(const MapOptions& o) {
  RenameMap map;
  for (const std::string& value : o.map_files) {
    RESCOPE_ASSIGN_OR_RETURN(const std::filesystem::path resolved, ResolveMapFile(value));
    const std::string file = resolved.string();
    RESCOPE_ASSIGN_OR_RETURN(std::string text, ReadMapText(file));
    auto parsed = RenameMap::ParseJsonText(std::move(text), file);
    if (!parsed.ok()) return parsed.status();
    map.Append(std::move(parsed).value());
  }
  for (const std::string& r : o.rules) RESCOPE_RETURN_IF_ERROR(map.AddInlineRule(r));
  for (const std::string& d : o.drops) RESCOPE_RETURN_IF_ERROR(map.AddDrop(d));
  return map;
}

// "transpose" or "permute [3, 2, 0, 1]", as a rule would say it.
std::string TransformText(const std::vector<int>& permute) {
  if (permute == std::vector<int>{1, 0}) return "transpose";
  return "permute " + PermutationToString(permute);
}

std::vector<RuleMoves> CountRuleMoves(const RenamePlan& plan, const RenameMap& map) {
  std::vector<RuleMoves> moves(map.size());
  for (const RenameChange& c : plan.changes) {
    if (c.rule_index < 0) continue;
    RuleMoves& m = moves[static_cast<size_t>(c.rule_index)];
    ++(c.is_slot ? m.slots : m.variables);
  }
  return moves;
}

namespace {

// One line per rule that moved optimizer slots: how many variables and slots it moved (a
// user who renamed a layer sees its optimizer state went along).
// With every_rule, also the rules that moved no slot, as "  RULE: N names" (a TF2 rule can
// match slot keys itself; it is not told apart from the variables it moved).
void PrintSlotCounts(const RenamePlan& plan, const RenameMap& map, bool every_rule = false) {
  const std::vector<RuleMoves> moves = CountRuleMoves(plan, map);
  for (size_t i = 0; i < map.size(); ++i) {
    const RuleMoves& m = moves[i];
    if (m.slots == 0 && every_rule && m.variables > 0) {
      std::cout << "  " << map.rules()[i].Describe() << ": " << m.variables << " name"
                << (m.variables == 1 ? "" : "s") << "\n";
      continue;
    }
    if (m.slots == 0) continue;
    std::cout << "  " << map.rules()[i].Describe() << ": " << m.variables << " variable"
              << (m.variables == 1 ? "" : "s") << ", " << m.slots << " optimizer slot"
              << (m.slots == 1 ? "" : "s") << "\n";
  }
}

void PrintCountsLine(const RenamePlan& plan) {
  size_t renamed = 0, dropped = 0;
  for (const RenameChange& c : plan.changes) (c.dropped ? dropped : renamed)++;
  std::cout << renamed << " renamed, " << dropped << " dropped, " << plan.unchanged.size()
            << " unchanged\n";
}

void PrintUnmatchedRules(const RenamePlan& plan, const RenameMap& map) {
  for (size_t i : plan.unmatched_rules) {
    std::cout << "unmatched rule: " << map.rules()[i].Describe() << "\n";
  }
}

}  // namespace

void PrintPlanSummary(const RenamePlan& plan, const RenameMap& map) {
  PrintCountsLine(plan);
  PrintSlotCounts(plan, map, /*every_rule=*/true);
  PrintUnmatchedRules(plan, map);
}

void PrintPlan(const RenamePlan& plan, const RenameMap& map) {
  for (const RenameChange& c : plan.changes) {
    if (c.dropped) {
      std::cout << "  drop " << DisplayName(c.old_name) << "\n";
    } else {
      std::cout << "  " << DisplayName(c.old_name) << " -> " << DisplayName(c.new_name);
      if (!c.permute.empty()) std::cout << "  (" << TransformText(c.permute) << ")";
      std::cout << "\n";
    }
  }
  PrintCountsLine(plan);
  PrintSlotCounts(plan, map);
  PrintUnmatchedRules(plan, map);
}

std::optional<RenamePlan> PlanOrReport(const TensorStore& store, const RenameMap& map,
                                       const PlanOptions& options, std::string_view outcome) {
  RenamePlan plan = PlanStoreRename(store, map, options);
  for (const std::string& w : plan.warnings) PrintWarning(w);
  if (plan.ok()) return plan;
  for (const std::string& e : plan.errors) PrintError(e);
  PrintError("rename plan has " + std::to_string(plan.errors.size()) + " error(s); " +
             std::string(outcome));
  return std::nullopt;
}

std::optional<TensorStore> MapStoreOrReport(TensorStore store, const RenameMap& map,
                                            const MapOptions& options) {
  if (map.empty()) return store;
  PlanOptions plan_options;
  plan_options.allow_unmatched = options.allow_unmatched;
  auto plan = PlanOrReport(store, map, plan_options, "nothing was compared");
  if (!plan) return std::nullopt;
  return ApplyPlan(store, *plan);
}

}  // namespace rescope::cli
