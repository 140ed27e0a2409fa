// SPDX-License-Identifier: Apache-2.0
// The rename planner: applies a RenameMap to a checkpoint's variable names, validates the
// result as a whole, and builds the renamed TensorStore once the plan is clean.
//
// A plan is computed from names only, before anything is written. Per variable:
//   1. a protected name (PlanOptions::protected_names) passes through untouched; rules
//      are not even tried, so a rule that would match only protected names counts as
//      unmatched;
//   2. otherwise the map's first matching rule decides (rename or drop);
//   3. no rule matching, an optimizer slot (core/rename/optimizer_slots.h: `training/V/Adam`,
//      `training/Adagrad/V/accumulator`, `V/Momentum`, ...) follows its variable V: it is
//      renamed to the same prefix + V's new name + the same suffix (`training/Adagrad/` +
//      `dnn/h0/kernel` + `/accumulator`), dropped with V, and transposed with V (its shape
//      must then equal V's); the piece `V/part_N` of a partitioned variable saved piece by
//      piece follows a rule matching V the same way;
//   4. with drop_optimizer, a name IsOptimizerState() accepts is dropped whatever the
//      rule said (the rule still counts as matched), rule_index -1 unless a rule dropped it;
//   5. names nothing matched pass through (under strict, that is an error).
//   A TF2 slot key (`<var>/.OPTIMIZER_SLOT/<optimizer path>/<slot>/...`) is also matched on
//   its optimizer path, so `optimizer/=opt/` moves the slots' keys with the optimizer
//   (core/rename/tf2_slot_key.h). A Keras 2 optimizer weight no rule matched
//   (`optimizer_weights/Adam/dense_1/kernel/m`) follows the renamed variable named inside
//   it (core/rename/keras_optimizer_names.h).
// Then, over the whole set:
//   * two variables getting one new name: error naming both sources;
//   * a new name equal to a variable that stays in place (not renamed, not dropped): error;
//   * an empty new name, or a new name that is a protected name: error;
//   * a renaming rule that matched no variable: error with the nearest existing scope or
//     name ("did you mean dnn/hiddenlayer_0/?"), a warning under allow_unmatched; a
//     dropping rule that matched nothing: warning (error under strict);
//   * an "unresolved" entry of the map: error, a warning under allow_unmatched;
//   * a slot-like entry left in place although a variable it may belong to moves (its
//     variable is not in the checkpoint, or several variables could own it): warning
//     naming it, never a guess.
// All problems are collected. A plan with errors must not be applied: the caller writes
// nothing and exits with status 2.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/rename/rename_rules.h"
#include "core/store/tensor_store.h"

namespace rescope {

struct PlanOptions {
  bool strict = false;          // every variable must match a rule
  bool drop_optimizer = false;  // drop IsOptimizerState() names
  // Unmatched rules and unresolved map entries are warnings instead of errors (a map
  // shared by several checkpoints). Ignored under strict.
  bool allow_unmatched = false;
  // False: a rule that matched no variable and is only a warning is listed in
  // unmatched_rules but not worded in warnings. For a caller that shows no warnings (-q):
  // a generated map for another checkpoint can leave a million rules unmatched.
  bool word_unmatched_warnings = true;
  // The names' scope separator (TensorStore::separator()); PlanStoreRename sets it.
  char separator = '/';
  std::vector<std::string> protected_names = {"", "_CHECKPOINTABLE_OBJECT_GRAPH"};
};

struct RenameChange {
  std::string old_name;
  std::string new_name;  // empty when dropped
  bool dropped = false;
  int rule_index = -1;  // index into the map's rules(); -1 for drop_optimizer
  // The rule's axis permutation (core/values/tensor_transform.h), empty for none. A rule with a
  // permutation makes a change even when the name stays the same.
  std::vector<int> permute;
  // Set when no rule matched this entry itself: the variable whose rule moved it (the
  // owner of a slot, the partitioned variable of a `part_N` piece).
  std::string follows;
  // This entry is an optimizer slot of a variable (core/rename/optimizer_slots.h), however it
  // moved: by following its variable or by a rule matching it too (a scope over both).
  bool is_slot = false;
};

struct RenamePlan {
  std::vector<RenameChange> changes;    // renamed + dropped, sorted by old name
  std::vector<std::string> unchanged;   // names passed through, sorted
  std::vector<size_t> unmatched_rules;  // indexes of rules that matched no variable
  std::vector<std::string> errors;      // non-empty => nothing may be written
  std::vector<std::string> warnings;    // starts with the map's own warnings
  bool ok() const { return errors.empty(); }

  // The change for `old`, or null if it passes through unchanged (or is not in the plan).
  const RenameChange* FindChange(std::string_view old) const;
  // "" if dropped; `old` itself if unchanged. (The header entry "" is unchanged and also
  // gives ""; use FindChange to tell the two apart.)
  std::string NewName(std::string_view old) const;
};

// Plans renaming `names` (duplicates are ignored). Never fails as a call: problems are in
// plan.errors. Message shapes:
//   "model_1/x" (--rule #1) and "model_2/x" (--rule #2) would both be renamed to "x"
//   "a" (--rule #1) would be renamed to "b", which already exists and is neither renamed nor
//   dropped "x" (--rule #1): new name is empty "g" (--rule #3) would be renamed to the protected
//   name "_CHECKPOINTABLE_OBJECT_GRAPH"
//   --rule #2 (model_9/=x/): matched no variable; did you mean model_1/?
//   "foo": matched no rule (strict)
RenamePlan PlanRename(const std::vector<std::string>& names, const RenameMap& map,
                      const PlanOptions& options);

// PlanRename over RenamableNames(store), then CheckTransforms: the plan every command
// that renames a store (rename, convert, diff --map, check --map) uses.
RenamePlan PlanStoreRename(const TensorStore& store, const RenameMap& map,
                           const PlanOptions& options);

// Adds an error for every change whose permutation cannot be applied to its tensor in
// `store` (rank mismatch, strings, partitioned variables, unreadable data):
//   "dense/kernel" (map.json: rule #2): transpose needs a 2-D tensor, found shape [3]
void CheckTransforms(const TensorStore& store, const RenameMap& map, RenamePlan& plan);

// The names of `store` a plan should cover: every entry except kSlice entries, which
// follow their partitioned variable.
std::vector<std::string> RenamableNames(const TensorStore& store);

// Builds the renamed store: entries moved to their new names (everything else, bytes and
// byte sources included, copied as is), dropped entries removed, names not in the plan
// kept. kSlice entries follow their partitioned variable: their partitioned_name is
// updated (or they are dropped with it) while their own key is kept, so a writer must
// derive slice keys from partitioned_name. Changes with a permutation get PermuteEntry's
// entry (permuted shape, gathering data source, bytes_transformed); one that cannot be
// permuted (CheckTransforms was not run) keeps its shape and loses its data, with
// data_error saying why, so nothing wrong is ever written.
// REQUIRES: plan.ok(), and plan computed from RenamableNames(in).
TensorStore ApplyPlan(const TensorStore& in, const RenamePlan& plan);

}  // namespace rescope
