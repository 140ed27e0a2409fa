// SPDX-License-Identifier: Apache-2.0
#include "cli/plan_json.h"

#include "cli/rename_map_options.h"

namespace rescope::cli {

void AppendPlanJson(nlohmann::ordered_json& doc, const RenamePlan& plan, const RenameMap& map) {
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  size_t renamed = 0, dropped = 0;
  for (const RenameChange& c : plan.changes) {
    nlohmann::ordered_json e{{"name", c.old_name}};
    if (c.dropped) {
      e["category"] = "dropped";
      ++dropped;
    } else {
      e["category"] = "renamed";
      e["new_name"] = c.new_name;
      if (!c.permute.empty()) e["permute"] = c.permute;
      ++renamed;
    }
    if (c.is_slot) e["slot"] = true;
    if (!c.follows.empty()) e["follows"] = c.follows;
    entries.push_back(std::move(e));
  }
  doc["counts"] = {
      {"renamed", renamed}, {"dropped", dropped}, {"unchanged", plan.unchanged.size()}};
  doc["entries"] = std::move(entries);
  // Per rule that moved optimizer slots, as the text plan says it.
  doc["slots_by_rule"] = nlohmann::ordered_json::array();
  const std::vector<RuleMoves> moves = CountRuleMoves(plan, map);
  for (size_t i = 0; i < moves.size(); ++i) {
    if (moves[i].slots == 0) continue;
    doc["slots_by_rule"].push_back({{"rule", map.rules()[i].Describe()},
                                    {"variables", moves[i].variables},
                                    {"slots", moves[i].slots}});
  }
  doc["unmatched_rules"] = nlohmann::ordered_json::array();
  for (size_t i : plan.unmatched_rules) doc["unmatched_rules"].push_back(map.rules()[i].Describe());
  doc["warnings"] = plan.warnings;
  doc["errors"] = plan.errors;
}

}  // namespace rescope::cli
