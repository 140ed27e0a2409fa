// SPDX-License-Identifier: Apache-2.0
// The classifier `check --model-only` uses to set names aside: optimizer slots and
// objects, and bookkeeping entries (global_step, save_counter, the TF2 object graph).
// The rules themselves live in core/rename/optimizer_state.h, shared with `rename
// --drop-optimizer`; CheckOptions::set_aside can replace the classifier entirely.
#pragma once

#include <functional>
#include <string_view>

namespace rescope {

using SetAsideClassifier = std::function<bool(std::string_view name)>;

// IsOptimizerState(name) || IsBookkeeping(name).
bool IsSetAsideForModelOnly(std::string_view name);

}  // namespace rescope
