// Plans a rename over a whole set of names, validates it, and applies it to a store.
#include "core/rename_plan.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/keras_optimizer_names.h"
#include "core/optimizer_state.h"
#include "core/tensor_transform.h"
#include "core/tf2_slot_key.h"

namespace rescope {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Where a change came from, for messages: "--rule #1", "--drop-optimizer".
std::string ChangeOrigin(const RenameChange& change, const RenameMap& map) {
  if (change.rule_index < 0) return "--drop-optimizer";
  return map.rules()[static_cast<size_t>(change.rule_index)].origin;
}

std::string SourceList(const std::vector<const RenameChange*>& sources, const RenameMap& map) {
  std::string out;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i > 0) out += i + 1 == sources.size() ? " and " : ", ";
    out += Quote(sources[i]->old_name) + " (" + ChangeOrigin(*sources[i], map) + ")";
  }
  return out;
}

// A TF2 slot key also follows a rule on its optimizer's path (core/tf2_slot_key.h), after
// the rule that matched it as a whole (the variable's scope), if any.
void FollowOptimizerPath(const std::string& name, const RenameMap& map,
                         std::optional<RenameMap::Match>& match, std::vector<bool>& rule_used) {
  if (match && match->drop) return;
  auto followed = MatchOptimizerPath(match ? match->new_name : name, map);
  if (!followed) return;
  rule_used[followed->rule_index] = true;
  if (match && !followed->drop) {
    match->new_name = std::move(followed->new_name);
  } else {
    match = std::move(followed);
  }
}

// Keras 2 optimizer weights that no rule matched follow the variable named inside them
// (core/keras_optimizer_names.h), with that variable's rule as their origin.
void FollowOptimizerWeights(RenamePlan& plan) {
  std::vector<std::pair<std::string, std::string>> renamed;
  std::vector<int> rule_of;
  for (const RenameChange& c : plan.changes) {
    if (c.dropped || c.old_name == c.new_name) continue;
    renamed.emplace_back(c.old_name, c.new_name);
    rule_of.push_back(c.rule_index);
  }
  if (renamed.empty()) return;
  std::vector<std::string> still_unchanged;
  const size_t before = plan.changes.size();
  for (std::string& name : plan.unchanged) {
    auto followed = FollowRenamedVariable(name, renamed);
    if (!followed) {
      still_unchanged.push_back(std::move(name));
      continue;
    }
    RenameChange change;
    change.old_name = std::move(name);
    change.new_name = std::move(followed->first);
    change.rule_index = rule_of[followed->second];
    plan.changes.push_back(std::move(change));
  }
  plan.unchanged = std::move(still_unchanged);
  if (plan.changes.size() == before) return;
  std::sort(plan.changes.begin(), plan.changes.end(),
            [](const RenameChange& a, const RenameChange& b) { return a.old_name < b.old_name; });
}

// Decides one name; returns false if it passes through unchanged.
bool PlanOne(const std::string& name, const RenameMap& map, const PlanOptions& options,
             std::vector<bool>& rule_used, RenamePlan& plan, RenameChange& change) {
  auto applied = map.ApplyChecked(name);
  if (!applied.ok()) {
    plan.errors.push_back(applied.status().message());
    return false;
  }
  std::optional<RenameMap::Match> match = *applied;
  if (match) rule_used[match->rule_index] = true;
  FollowOptimizerPath(name, map, match, rule_used);
  change.old_name = name;
  if (options.drop_optimizer && IsOptimizerState(name) && !(match && match->drop)) {
    change.dropped = true;
    change.rule_index = -1;
    return true;
  }
  if (!match) {
    if (options.strict) plan.errors.push_back(Quote(name) + ": matched no rule (strict)");
    return false;
  }
  change.rule_index = static_cast<int>(match->rule_index);
  change.dropped = match->drop;
  if (match->drop) return true;
  if (match->new_name.empty()) {
    plan.errors.push_back(Quote(name) + " (" + map.rules()[match->rule_index].origin +
                          "): new name is empty");
    return false;
  }
  const auto& permute = map.rules()[match->rule_index].permute;
  if (match->new_name == name && !permute) return false;  // the rule changes nothing
  if (std::find(options.protected_names.begin(), options.protected_names.end(), match->new_name) !=
      options.protected_names.end()) {
    plan.errors.push_back(Quote(name) + " (" + map.rules()[match->rule_index].origin +
                          ") would be renamed to the protected name " + Quote(match->new_name));
    return false;
  }
  change.new_name = match->new_name;
  if (permute) change.permute = *permute;
  return true;
}

// Reports every final name claimed by more than one variable.
void CheckConflicts(const RenameMap& map, RenamePlan& plan) {
  std::map<std::string_view, std::vector<const RenameChange*>> renamed_to;
  for (const RenameChange& change : plan.changes) {
    if (!change.dropped) renamed_to[change.new_name].push_back(&change);
  }
  for (const auto& [target, sources] : renamed_to) {
    // A transform-only change keeps its own name; it conflicts with nothing by itself.
    if (sources.size() == 1 && sources[0]->old_name == target) continue;
    const bool stays = std::binary_search(plan.unchanged.begin(), plan.unchanged.end(), target);
    if (stays) {
      for (const RenameChange* source : sources) {
        plan.errors.push_back(SourceList({source}, map) + " would be renamed to " + Quote(target) +
                              ", which already exists and is neither renamed nor dropped");
      }
    } else if (sources.size() > 1) {
      plan.errors.push_back(SourceList(sources, map) + " would " +
                            (sources.size() == 2 ? "both" : "all") + " be renamed to " +
                            Quote(target));
    }
  }
}

}  // namespace

const RenameChange* RenamePlan::FindChange(std::string_view old) const {
  const auto it = std::lower_bound(
      changes.begin(), changes.end(), old,
      [](const RenameChange& c, std::string_view name) { return c.old_name < name; });
  return it != changes.end() && it->old_name == old ? &*it : nullptr;
}

std::string RenamePlan::NewName(std::string_view old) const {
  const RenameChange* change = FindChange(old);
  if (change == nullptr) return std::string(old);
  return change->dropped ? std::string() : change->new_name;
}

RenamePlan PlanRename(const std::vector<std::string>& names, const RenameMap& map,
                      const PlanOptions& options) {
  RenamePlan plan;
  plan.warnings = map.warnings();
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

  std::vector<bool> rule_used(map.size(), false);
  for (const std::string& name : sorted) {
    const bool is_protected =
        std::find(options.protected_names.begin(), options.protected_names.end(), name) !=
        options.protected_names.end();
    RenameChange change;
    if (!is_protected && PlanOne(name, map, options, rule_used, plan, change)) {
      plan.changes.push_back(std::move(change));
    } else {
      plan.unchanged.push_back(name);
    }
  }
  FollowOptimizerWeights(plan);
  CheckConflicts(map, plan);
  for (size_t i = 0; i < map.size(); ++i) {
    if (rule_used[i]) continue;
    plan.unmatched_rules.push_back(i);
    (options.strict ? plan.errors : plan.warnings)
        .push_back(map.rules()[i].Describe() + ": matched no variable");
  }
  return plan;
}

RenamePlan PlanStoreRename(const TensorStore& store, const RenameMap& map,
                           const PlanOptions& options) {
  RenamePlan plan = PlanRename(RenamableNames(store), map, options);
  CheckTransforms(store, map, plan);
  return plan;
}

void CheckTransforms(const TensorStore& store, const RenameMap& map, RenamePlan& plan) {
  for (const RenameChange& change : plan.changes) {
    if (change.dropped || change.permute.empty()) continue;
    const TensorEntry* entry = store.Find(change.old_name);
    if (entry == nullptr) continue;
    if (auto why = WhyNotPermutable(*entry, change.permute)) {
      plan.errors.push_back(Quote(change.old_name) + " (" + ChangeOrigin(change, map) +
                            "): " + *why);
    }
  }
}

std::vector<std::string> RenamableNames(const TensorStore& store) {
  std::vector<std::string> names;
  for (const auto& [name, entry] : store) {
    if (entry.kind != EntryKind::kSlice) names.push_back(name);
  }
  return names;
}

TensorStore ApplyPlan(const TensorStore& in, const RenamePlan& plan) {
  TensorStore out;
  for (const auto& [name, entry] : in) {
    const bool is_slice = entry.kind == EntryKind::kSlice;
    const RenameChange* change = plan.FindChange(is_slice ? entry.partitioned_name : name);
    if (change != nullptr && change->dropped) continue;
    TensorEntry moved = entry;
    if (change != nullptr && !is_slice && !change->permute.empty()) {
      auto permuted = PermuteEntry(entry, change->permute);
      if (permuted.ok()) {
        moved = std::move(permuted).value();
      } else {
        moved.data.reset();
        moved.data_error = permuted.status().message();
      }
    }
    if (change != nullptr) (is_slice ? moved.partitioned_name : moved.name) = change->new_name;
    out.Put(std::move(moved));
  }
  return out;
}

}  // namespace rescope
