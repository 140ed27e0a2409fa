// SPDX-License-Identifier: Apache-2.0
// The JSON form of a rename plan, shared by `rename --json` and `convert --json`
// (docs/json-schema/README.md): "entries" (one per renamed or dropped name), "counts",
// "slots_by_rule", "unmatched_rules", "warnings", "errors".
#pragma once

#include <nlohmann/json.hpp>

#include "core/rename/rename_plan.h"
#include "core/rename/rename_rules.h"

namespace rescope::cli {

// Appends the plan's keys to `doc`.
void AppendPlanJson(nlohmann::ordered_json& doc, const RenamePlan& plan, const RenameMap& map);

}  // namespace rescope::cli
