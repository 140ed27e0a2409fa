// SPDX-License-Identifier: Apache-2.0
// The subcommand table: each cli/cmd_<name>.cc registers its flags and returns a runner.
#pragma once

#include "cli/cli_common.h"

namespace rescope::cli {

Command AddLsCommand(CLI::App& app);
Command AddInfoCommand(CLI::App& app);
Command AddShowCommand(CLI::App& app);
Command AddVerifyCommand(CLI::App& app);
Command AddRenameCommand(CLI::App& app);
Command AddDiffCommand(CLI::App& app);
Command AddCheckCommand(CLI::App& app);
Command AddConvertCommand(CLI::App& app);
Command AddRecoverCommand(CLI::App& app);
Command AddHashCommand(CLI::App& app);
Command AddMapsCommand(CLI::App& app);
// Registered last: it describes the other commands to the shells.
Command AddCompletionsCommand(CLI::App& app);

}  // namespace rescope::cli
