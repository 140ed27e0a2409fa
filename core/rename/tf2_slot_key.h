// SPDX-License-Identifier: Apache-2.0
// TF2 slot-variable keys name two objects: `<variable path>/.OPTIMIZER_SLOT/<optimizer
// path>/<slot name>/.ATTRIBUTES/VARIABLE_VALUE` (FORMATS.md §3.3). A rule that renames or
// drops the variable's scope matches the key as a whole; a rule that renames the optimizer
// (`optimizer/=opt/`) must reach the optimizer path in the middle, or the slot keys keep
// naming an object that no longer exists under that path.
#pragma once

#include <optional>
#include <string_view>

#include "core/rename/rename_rules.h"

namespace rescope {

// The outcome of `map` on the optimizer path of the slot key `key`, as a match for the
// whole key: the rule is applied to `<optimizer path>/<slot name>/.ATTRIBUTES/...` (what
// the optimizer's own keys look like), and its result replaces that part of the key.
// nullopt when `key` is not a slot key, no rule matches that part, or the rule's result
// would not keep the `/<slot name>/.ATTRIBUTES/...` tail (the slot name belongs to the
// optimizer). A dropping rule drops the slot with its optimizer.
std::optional<RenameMap::Match> MatchOptimizerPath(std::string_view key, const RenameMap& map);

}  // namespace rescope
