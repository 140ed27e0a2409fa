// SPDX-License-Identifier: Apache-2.0
// Which GLOBALs the restricted pickle machine accepts (PYTORCH.md §3.2), after mapping
// Python-2 names the way torch does. Internal to formats/pytorch.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "formats/pytorch/pickle_vm.h"

namespace rescope::pytorch {

// True for the globals of current PyTorch's weights-only allowlist.
bool IsAllowedGlobal(std::string_view module, std::string_view name);
// (`__builtin__`, `unicode`) -> (`builtins`, `str`), `copy_reg` -> `copyreg`, ...
std::pair<std::string, std::string> MapPython2Name(std::string module, std::string name);

}  // namespace rescope::pytorch
