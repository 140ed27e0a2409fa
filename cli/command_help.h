// SPDX-License-Identifier: Apache-2.0
// Help text shared by `rescope CMD --help` and `rescope help CMD`: real examples for each
// command, shown under its option list.
#pragma once

#include <string>
#include <string_view>

namespace rescope::cli {

// The "Examples:" footer of a subcommand ("" for a name that is not a command).
std::string CommandExamples(std::string_view command);

}  // namespace rescope::cli
