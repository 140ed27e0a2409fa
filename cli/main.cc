// rescope: inspect, diff, rename and convert ML checkpoints. Parses the command line,
// runs one subcommand, maps the outcome to an exit code (0 ok, 1 problems found, 2 error).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <vector>

#include "cli/commands.h"

namespace {

// Repeatable options (std::vector) take one value per occurrence. CLI11's default lets
// them swallow the words that follow, so `diff --filter x A B --all` read A as a second
// filter and failed with "b is required".
void OneValuePerOccurrence(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    for (CLI::Option* opt : sub->get_options()) {
      if (opt->nonpositional() && opt->get_items_expected_max() > 1) opt->allow_extra_args(false);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rescope::cli;
  CLI::App app{"rescope: inspect, diff, rename and convert ML checkpoints without TensorFlow",
               "rescope"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rescope 0.1.0");
  int verbosity = 0;
  bool quiet = false;
  app.add_flag("-v,--verbose", verbosity, "More diagnostics on stderr (repeat for more)");
  app.add_flag("-q,--quiet", quiet, "Only errors on stderr");

  std::vector<Command> commands = {AddLsCommand(app), AddInfoCommand(app), AddShowCommand(app),
                                   AddVerifyCommand(app), AddRenameCommand(app),
                                   AddDiffCommand(app),   AddCheckCommand(app),
                                   AddConvertCommand(app)};
  OneValuePerOccurrence(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitError;  // CLI11 uses 100+; ours is 2 for usage errors
  }
  auto logger = spdlog::stderr_color_mt("rescope");
  logger->set_pattern("rescope: %l: %v");
  logger->set_level(quiet            ? spdlog::level::err
                    : verbosity >= 2 ? spdlog::level::trace
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::warn);
  spdlog::set_default_logger(logger);
  for (const Command& c : commands) {
    if (c.app->parsed()) {
      try {
        return c.run();
      } catch (const std::exception& e) {
        PrintError(std::string("internal error: ") + e.what());
        return kExitError;
      }
    }
  }
  return kExitError;
}
