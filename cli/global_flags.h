// SPDX-License-Identifier: Apache-2.0
// Global flags (-q, -v, --color) are accepted anywhere on the line, as in git and cargo:
// CLI11 only knows them before the subcommand, so they are moved there before parsing.
#pragma once

#include <string>
#include <vector>

namespace rescope::cli {

// Returns argv[1..] with every global flag that appears after the subcommand moved to the
// front. Only exact global-flag tokens move (`--rule -q=x` keeps its value); tokens after "--"
// stay where they are.
std::vector<std::string> HoistGlobalFlags(int argc, const char* const* argv);

// True for a token that is one of the global flags (-q, --quiet, -v, -vv, --verbose,
// --color, --color=WHEN).
bool IsGlobalFlag(const std::string& token);

}  // namespace rescope::cli
