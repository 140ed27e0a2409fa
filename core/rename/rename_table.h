// SPDX-License-Identifier: Apache-2.0
// RenameTable: a planned rename as a name table over the source store (each output name
// with the source entry it holds, sorted by output name) instead of a renamed copy of the
// store (ApplyPlan).
//
// A writer that leaves every tensor's bytes where they are (the TF bundle pass-through:
// same shards, same offsets, only the index keys change) needs nothing more than this.
// A row is 24 B where a copied store costs ~300 B per entry (the entry, its set node and
// its names): 2.4 MB instead of ~30 MB for 100,000 variables.
//
// The table borrows: its names point into the plan's changes and into the source store's
// entries, so both must outlive the table unchanged.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/store/tensor_store.h"

namespace rescope {

class RenameTable {
 public:
  struct Row {
    std::string_view name;     // the output name
    const TensorEntry* entry;  // the source entry; entry->name is its name in the file
  };

  // The table of `plan` over `source`, or nullopt when the rename needs ApplyPlan's renamed
  // store: a change transforms values (its bytes are new, not in the source files), or the
  // store holds partitioned variables (a slice's key is derived from its variable's new
  // name), or an entry already carries transformed bytes.
  // REQUIRES: plan.ok(), and plan computed from RenamableNames(source).
  static std::optional<RenameTable> Of(const TensorStore& source, const RenamePlan& plan);

  const TensorStore& source() const { return *source_; }
  // Every kept entry under its output name, sorted by that name (bytewise). The plan
  // rejected two entries taking one name, so the names are unique.
  const std::vector<Row>& rows() const { return rows_; }
  // False when the output holds every source entry under its own name.
  bool renames_anything() const { return renames_anything_; }
  // The output name of the source entry named `source_name`; nullopt when the source has
  // no such entry or the plan drops it.
  std::optional<std::string_view> NewNameOf(std::string_view source_name) const;

 private:
  RenameTable(const TensorStore& source, const RenamePlan& plan) : source_(&source), plan_(&plan) {}

  const TensorStore* source_;
  const RenamePlan* plan_;
  std::vector<Row> rows_;
  bool renames_anything_ = false;
};

}  // namespace rescope
