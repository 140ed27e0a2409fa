// `rescope show CKPT NAME`: placeholder until value formatting lands.
#include "cli/cli_common.h"
#include "cli/commands.h"

namespace rescope::cli {
Command AddShowCommand(CLI::App& app) {
  CLI::App* sub = app.add_subcommand("show", "Print a tensor's values");
  return {sub, [] { return kExitError; }};
}
}  // namespace rescope::cli
