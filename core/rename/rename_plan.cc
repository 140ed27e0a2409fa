// SPDX-License-Identifier: Apache-2.0
// Plans a rename over a whole set of names, validates it, and applies it to a store.
#include "core/rename/rename_plan.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "core/rename/keras_optimizer_names.h"
#include "core/rename/optimizer_slots.h"
#include "core/rename/optimizer_state.h"
#include "core/rename/tf2_slot_key.h"
#include "core/store/edit_distance.h"
#include "core/values/tensor_transform.h"

namespace rescope {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Where a change came from, for messages: "--rule #1", "--drop-optimizer".
std::string ChangeOrigin(const RenameChange& change, const RenameMap& map) {
  if (change.rule_index < 0) return "--drop-optimizer";
  const std::string origin = map.rules()[static_cast<size_t>(change.rule_index)].origin.str();
  return change.follows.empty() ? origin : origin + ", following " + Quote(change.follows);
}

std::string SourceList(const std::vector<const RenameChange*>& sources, const RenameMap& map) {
  std::string out;
  for (size_t i = 0; i < sources.size(); ++i) {
    if (i > 0) out += i + 1 == sources.size() ? " and " : ", ";
    out += Quote(sources[i]->old_name) + " (" + ChangeOrigin(*sources[i], map) + ")";
  }
  return out;
}

// A TF2 slot key also follows a rule on its optimizer's path (core/rename/tf2_slot_key.h), after
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
// (core/rename/keras_optimizer_names.h), with that variable's rule as their origin.
void FollowOptimizerWeights(RenamePlan& plan) {
  // The list of renamed variables copies every renamed name (~17 MB for 100,000): built
  // only when some name left in place is an optimizer weight that could follow one.
  if (std::none_of(plan.unchanged.begin(), plan.unchanged.end(), IsOptimizerWeightName)) return;
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

// What decided one name: the matching rule, or the variable it follows.
struct Decision {
  size_t rule_index = 0;
  bool drop = false;
  std::string new_name;
  std::string follows;  // empty when a rule matched the name itself
};

// "part_3" -> true: a piece of a partitioned variable saved piece by piece.
bool IsPartitionPiece(std::string_view segment) {
  if (!segment.starts_with("part_") || segment.size() == 5) return false;
  return std::all_of(segment.begin() + 5, segment.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// Decides names by rules first, then by the variable they follow. The decisions of
// variables that own slots are kept, since each of their slots needs them again; other
// names are decided once, with no copy kept (100,000-name plans stay lean).
class Decider {
 public:
  Decider(const RenameMap& map, const SlotAttribution& slots, const PlanOptions& options,
          RenamePlan& plan)
      : map_(map), slots_(slots), options_(options), plan_(plan), rule_used_(map.size(), false) {
    for (const auto& [slot, owner] : slots.slots) memo_.emplace(owner.owner, std::nullopt);
  }

  std::optional<Decision> Decide(const std::string& name) {
    const auto it = memo_.find(name);
    if (it == memo_.end()) return Compute(name);
    if (!it->second) it->second = Compute(name);
    return *it->second;
  }
  const std::vector<bool>& rule_used() const { return rule_used_; }

 private:
  std::optional<Decision> Compute(const std::string& name) {
    std::optional<Decision> decision = Direct(name);
    if (!decision) decision = Follow(name);
    return decision;
  }

  std::optional<Decision> Direct(std::string_view name) {
    auto applied = map_.ApplyChecked(name, options_.separator);
    if (!applied.ok()) {
      plan_.errors.push_back(applied.status().message());
      return std::nullopt;
    }
    std::optional<RenameMap::Match> match = *applied;
    if (match) rule_used_[match->rule_index] = true;
    FollowOptimizerPath(std::string(name), map_, match, rule_used_);
    if (!match) return std::nullopt;
    return Decision{match->rule_index, match->drop, match->new_name, ""};
  }

  std::optional<Decision> Follow(const std::string& name) {
    if (const SlotOwner* slot = slots_.Find(name); slot != nullptr && !IsProtected(slot->owner)) {
      const std::optional<Decision> owner = Decide(slot->owner);
      if (!owner) return std::nullopt;
      std::string new_name;
      if (!owner->drop && !owner->new_name.empty()) {
        new_name = slot->prefix + owner->new_name + slot->suffix;
      }
      return Decision{owner->rule_index, owner->drop, new_name, slot->owner};
    }
    if (options_.separator != '/') return std::nullopt;
    const size_t slash = name.rfind('/');
    if (slash == std::string::npos || !IsPartitionPiece(std::string_view(name).substr(slash + 1))) {
      return std::nullopt;
    }
    const std::string variable = name.substr(0, slash);
    std::optional<Decision> whole = Direct(variable);
    if (!whole) return std::nullopt;
    if (!whole->drop && !whole->new_name.empty()) whole->new_name += name.substr(slash);
    whole->follows = variable;
    return whole;
  }

  bool IsProtected(std::string_view name) const {
    return std::find(options_.protected_names.begin(), options_.protected_names.end(), name) !=
           options_.protected_names.end();
  }

  const RenameMap& map_;
  const SlotAttribution& slots_;
  const PlanOptions& options_;
  RenamePlan& plan_;
  std::vector<bool> rule_used_;
  // Owner name -> its decision once computed (the outer optional: computed yet).
  std::map<std::string, std::optional<std::optional<Decision>>, std::less<>> memo_;
};

// Decides one name; returns false if it passes through unchanged. Fills `change` except
// its old_name, which the caller moves in.
bool PlanOne(const std::string& name, const RenameMap& map, const PlanOptions& options,
             Decider& decider, const SlotAttribution& slots, RenamePlan& plan,
             RenameChange& change) {
  const std::optional<Decision> match = decider.Decide(name);
  change.is_slot = slots.Find(name) != nullptr;
  if (options.drop_optimizer && IsOptimizerState(name) && !(match && match->drop)) {
    change.dropped = true;
    change.rule_index = -1;
    return true;
  }
  if (!match) {
    if (options.strict) plan.errors.push_back(Quote(name) + ": matched no rule (strict)");
    return false;
  }
  const RenameRule& rule = map.rules()[match->rule_index];
  // Built only for a message: most changes need none.
  const auto origin = [&] {
    const std::string text = rule.origin.str();
    return match->follows.empty() ? text : text + ", following " + Quote(match->follows);
  };
  change.rule_index = static_cast<int>(match->rule_index);
  change.dropped = match->drop;
  change.follows = match->follows;
  if (match->drop) return true;
  if (match->new_name.empty()) {
    plan.errors.push_back(Quote(name) + " (" + origin() + "): new name is empty");
    return false;
  }
  const auto& permute = rule.permute;
  if (match->new_name == name && !permute) return false;  // the rule changes nothing
  if (std::find(options.protected_names.begin(), options.protected_names.end(), match->new_name) !=
      options.protected_names.end()) {
    plan.errors.push_back(Quote(name) + " (" + origin() +
                          ") would be renamed to the protected name " + Quote(match->new_name));
    return false;
  }
  change.new_name = match->new_name;
  if (permute) change.permute = *permute;
  return true;
}

// Every scope (joined leading segments) and name the plan covers, for "did you mean".
std::vector<std::string> ScopesAndNames(const RenamePlan& plan, char separator) {
  std::set<std::string> out;
  const auto add = [&](const std::string& name) {
    for (size_t pos = name.find(separator); pos != std::string::npos;
         pos = name.find(separator, pos + 1)) {
      out.insert(name.substr(0, pos + 1));
    }
    out.insert(name);
  };
  for (const RenameChange& change : plan.changes) add(change.old_name);
  for (const std::string& name : plan.unchanged) add(name);
  return {out.begin(), out.end()};
}

// " did you mean X?" for a rule that matched nothing, or "" when nothing is close.
std::string NearestHint(const RenameRule& rule, const std::vector<std::string>& candidates,
                        char separator) {
  if (rule.kind != RenameRule::Kind::kScope && rule.kind != RenameRule::Kind::kName) return "";
  const bool scope = rule.kind == RenameRule::Kind::kScope;
  const std::string wanted = scope ? rule.from + separator : rule.from;
  const size_t limit = std::max<size_t>(3, wanted.size() / 3);
  size_t best_distance = limit + 1;
  std::string best;
  for (const std::string& candidate : candidates) {
    const bool candidate_is_scope = !candidate.empty() && candidate.back() == separator;
    if (candidate_is_scope != scope) continue;
    const size_t d = EditDistance(wanted, candidate, best_distance);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? "" : "; did you mean " + best + "?";
}

// Warns about slot-like entries that stay in place while a variable they may belong to is
// renamed or dropped: their variable is not in the checkpoint, or several could own them.
void WarnUnattributed(const SlotAttribution& slots, const RenameMap& map,
                      const PlanOptions& options, RenamePlan& plan) {
  if (options.drop_optimizer) return;  // they are dropped as optimizer state anyway
  const auto moved = [&](const std::string& owner) {
    const std::optional<RenameMap::Match> m = map.Apply(owner, options.separator);
    return m && (m->drop || m->new_name != owner);
  };
  const auto stays = [&](const std::string& name) {
    return std::binary_search(plan.unchanged.begin(), plan.unchanged.end(), name);
  };
  for (const auto& [name, readings] : slots.unattributed) {
    if (!stays(name)) continue;
    for (const SlotOwner& r : readings) {
      if (!moved(r.owner)) continue;
      plan.warnings.push_back(Quote(name) + " looks like optimizer state of " + Quote(r.owner) +
                              ", which is not in the checkpoint; left unchanged (add a rule for "
                              "it if it belongs to a renamed variable)");
      break;
    }
  }
  for (const auto& [name, readings] : slots.ambiguous) {
    if (!stays(name)) continue;
    std::string owners;
    bool any_moved = false;
    for (size_t i = 0; i < readings.size(); ++i) {
      owners += (i ? " or " : "") + Quote(readings[i].owner);
      any_moved = any_moved || moved(readings[i].owner);
    }
    if (!any_moved) continue;
    plan.warnings.push_back(Quote(name) + " may be optimizer state of " + owners +
                            "; not moved with either (add a rule for it)");
  }
}

// Reports every final name claimed by more than one variable.
void CheckConflicts(const RenameMap& map, RenamePlan& plan) {
  // Every target with the changes renamed to it, grouped by sorting (a map node per change
  // cost more than the rest of planning a 100,000-variable rename).
  std::vector<std::pair<std::string_view, const RenameChange*>> renamed_to;
  renamed_to.reserve(plan.changes.size());
  for (const RenameChange& change : plan.changes) {
    if (!change.dropped) renamed_to.emplace_back(change.new_name, &change);
  }
  std::stable_sort(renamed_to.begin(), renamed_to.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t begin = 0, end = 0; begin < renamed_to.size(); begin = end) {
    const std::string_view target = renamed_to[begin].first;
    std::vector<const RenameChange*> sources;
    for (end = begin; end < renamed_to.size() && renamed_to[end].first == target; ++end) {
      sources.push_back(renamed_to[end].second);
    }
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

namespace {

// PlanRename of names already sorted and unique (a store's names are). Each name moves
// into the plan (a change's old_name, or `unchanged`) rather than being copied: for
// 100,000 names that is ~5 MB less at the peak of planning.
RenamePlan PlanSortedRename(std::vector<std::string> sorted, const RenameMap& map,
                            const PlanOptions& options) {
  RenamePlan plan;
  plan.warnings = map.warnings();
  // Room for every name in either list: the untouched part of the one that stays short is
  // never paged in, and the other one grows without the copy (and twice the memory) of
  // a reallocation.
  plan.changes.reserve(sorted.size());
  plan.unchanged.reserve(sorted.size());

  const SlotAttribution slots = AttributeSlots(sorted, options.separator);
  Decider decider(map, slots, options, plan);
  for (std::string& name : sorted) {
    const bool is_protected =
        std::find(options.protected_names.begin(), options.protected_names.end(), name) !=
        options.protected_names.end();
    RenameChange change;
    if (!is_protected && PlanOne(name, map, options, decider, slots, plan, change)) {
      change.old_name = std::move(name);
      plan.changes.push_back(std::move(change));
    } else {
      plan.unchanged.push_back(std::move(name));
    }
  }
  sorted = {};
  FollowOptimizerWeights(plan);
  CheckConflicts(map, plan);
  WarnUnattributed(slots, map, options, plan);
  const bool refuse = options.strict || !options.allow_unmatched;
  std::vector<std::string> candidates;
  // Each hint scans every name and scope; a generated map for another checkpoint can leave
  // a million rules unmatched, so only the first few get one.
  constexpr size_t kMaxHints = 20;
  size_t hints = 0;
  for (size_t i = 0; i < map.size(); ++i) {
    if (decider.rule_used()[i]) continue;
    plan.unmatched_rules.push_back(i);
    // A drop rule that finds nothing to drop leaves nothing behind: a warning (shipped maps
    // drop slots a released checkpoint does not have), an error only under strict.
    if (!refuse || (map.rules()[i].drop && !options.strict)) {
      if (options.word_unmatched_warnings) {
        plan.warnings.push_back(map.rules()[i].Describe() + ": matched no variable");
      }
      continue;
    }
    std::string hint;
    if (hints < kMaxHints) {
      ++hints;
      if (candidates.empty()) candidates = ScopesAndNames(plan, options.separator);
      hint = NearestHint(map.rules()[i], candidates, options.separator);
    }
    plan.errors.push_back(map.rules()[i].Describe() + ": matched no variable" + hint +
                          (options.strict ? "" : " (--allow-unmatched ignores it)"));
  }
  for (const std::string& entry : map.unresolved()) {
    if (refuse) {
      plan.errors.push_back(entry +
                            ": not a rule; resolve it into a rule in \"rules\" or remove it "
                            "(--allow-unmatched ignores it)");
    } else {
      plan.warnings.push_back(entry + ": ignored");
    }
  }
  for (const RenameRule& rule : map.rules()) {
    if (rule.kind == RenameRule::Kind::kScope && rule.scope_mark != '/' &&
        rule.scope_mark != options.separator) {
      plan.errors.push_back(rule.Describe() + ": a scope ending in '" + rule.scope_mark +
                            "', but this checkpoint's names are separated by '" +
                            options.separator + "' (end the scope with '" + options.separator +
                            "')");
    }
  }
  return plan;
}

}  // namespace

RenamePlan PlanRename(const std::vector<std::string>& names, const RenameMap& map,
                      const PlanOptions& options) {
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return PlanSortedRename(std::move(sorted), map, options);
}

RenamePlan PlanStoreRename(const TensorStore& store, const RenameMap& map,
                           const PlanOptions& options) {
  PlanOptions with_separator = options;
  with_separator.separator = store.separator();
  RenamePlan plan = PlanSortedRename(RenamableNames(store), map, with_separator);
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
      continue;
    }
    // A slot is transposed with its variable only when it has the variable's layout.
    const TensorEntry* owner = change.follows.empty() ? nullptr : store.Find(change.follows);
    if (owner != nullptr && owner->shape != entry->shape) {
      plan.errors.push_back(
          Quote(change.old_name) + " (" + ChangeOrigin(change, map) + "): shape " +
          ShapeToString(entry->shape) + " differs from its variable's " +
          ShapeToString(owner->shape) +
          ", so the rule's transform cannot be applied to it (add a rule for it)");
    }
  }
}

std::vector<std::string> RenamableNames(const TensorStore& store) {
  std::vector<std::string> names;
  names.reserve(store.size());
  for (const auto& [name, entry] : store) {
    if (entry.kind != EntryKind::kSlice) names.push_back(name);
  }
  return names;
}

TensorStore ApplyPlan(const TensorStore& in, const RenamePlan& plan) {
  TensorStore out;
  out.set_separator(in.separator());
  for (const auto& [name, entry] : in) {
    const bool is_slice = entry.kind == EntryKind::kSlice;
    const RenameChange* change = plan.FindChange(is_slice ? entry.partitioned_name() : name);
    if (change != nullptr && change->dropped) continue;
    TensorEntry moved = entry;
    if (change != nullptr && !is_slice && !change->permute.empty()) {
      auto permuted = PermuteEntry(entry, change->permute);
      if (permuted.ok()) {
        moved = std::move(permuted).value();
      } else {
        moved.data.reset();
        moved.set_data_error(permuted.status().message());
      }
    }
    if (change != nullptr && is_slice) moved.set_partitioned_name(change->new_name);
    if (change != nullptr && !is_slice) moved.Rename(change->new_name);
    out.Put(std::move(moved));
  }
  return out;
}

}  // namespace rescope
