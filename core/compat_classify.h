// STOPGAP classifier of names that `check --model-only` sets aside: optimizer slots and
// objects, and bookkeeping entries (global_step, save_counter, the TF2 object graph).
//
// TODO(compat): core/optimizer_state.h (IsOptimizerState, IsBookkeeping) is being
// written separately; once it is merged, make IsSetAsideForModelOnly() return
// `IsOptimizerState(name) || IsBookkeeping(name)` and delete the local rules in the .cc.
// Callers never depend on the rules themselves: CheckOptions::set_aside can replace the
// classifier entirely.
#pragma once

#include <functional>
#include <string_view>

namespace rescope {

using SetAsideClassifier = std::function<bool(std::string_view name)>;

// Minimal local rules (see the .cc): TF2 ".OPTIMIZER_SLOT" paths and the "optimizer"
// object, TF1 slot suffixes (Adam, Adam_1, Momentum, RMSProp, ...), beta1/2_power,
// global_step, save_counter, _CHECKPOINTABLE_OBJECT_GRAPH, Keras "optimizer_weights".
bool IsSetAsideForModelOnly(std::string_view name);

}  // namespace rescope
