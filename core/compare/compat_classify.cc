// SPDX-License-Identifier: Apache-2.0
// Set-aside classification for `check --model-only`.
#include "core/compare/compat_classify.h"

#include "core/rename/optimizer_state.h"

namespace rescope {

bool IsSetAsideForModelOnly(std::string_view name) {
  return IsOptimizerState(name) || IsBookkeeping(name);
}

}  // namespace rescope
