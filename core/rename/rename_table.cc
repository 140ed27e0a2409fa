// SPDX-License-Identifier: Apache-2.0
// Builds a rename's name table by walking the store and the plan's changes side by side.
#include "core/rename/rename_table.h"

#include <algorithm>

namespace rescope {

std::optional<RenameTable> RenameTable::Of(const TensorStore& source, const RenamePlan& plan) {
  for (const RenameChange& change : plan.changes) {
    if (!change.permute.empty()) return std::nullopt;
  }
  RenameTable table(source, plan);
  table.rows_.reserve(source.size());
  // Both the store and plan.changes are sorted by source name: one merge finds each
  // entry's change without a search.
  auto change = plan.changes.begin();
  for (const auto& [name, entry] : source) {
    if (entry.kind != EntryKind::kTensor || entry.bytes_transformed) return std::nullopt;
    while (change != plan.changes.end() && change->old_name < name) ++change;
    if (change == plan.changes.end() || change->old_name != name) {
      table.rows_.push_back({name, &entry});
      continue;
    }
    if (change->dropped) {
      table.renames_anything_ = true;
      continue;
    }
    table.renames_anything_ = table.renames_anything_ || change->new_name != name;
    table.rows_.push_back({change->new_name, &entry});
  }
  // A scope rule keeps the order within its scope; only entries moved across other names
  // need the sort, which a sorted table skips in one pass.
  const auto by_name = [](const Row& a, const Row& b) { return a.name < b.name; };
  if (!std::is_sorted(table.rows_.begin(), table.rows_.end(), by_name)) {
    std::sort(table.rows_.begin(), table.rows_.end(), by_name);
  }
  return table;
}

std::optional<std::string_view> RenameTable::NewNameOf(std::string_view source_name) const {
  const TensorEntry* entry = source_->Find(source_name);
  if (entry == nullptr) return std::nullopt;
  const RenameChange* change = plan_->FindChange(source_name);
  if (change == nullptr) return std::string_view(entry->name);
  if (change->dropped) return std::nullopt;
  return std::string_view(change->new_name);
}

}  // namespace rescope
