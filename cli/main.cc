// SPDX-License-Identifier: Apache-2.0
// rescope: inspect, diff, rename and convert ML checkpoints. Parses the command line,
// runs one subcommand, maps the outcome to an exit code (0 ok, 1 problems found, 2 error).
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <streambuf>
#include <vector>

#include "cli/command_help.h"
#include "cli/commands.h"
#include "cli/global_flags.h"
#include "cli/output_settings.h"
#include "cli/usage_errors.h"
#include "cli/version_text.h"
#include "formats/interrupt_cleanup.h"
#include "formats/mapping_guard.h"

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

// Where stdout goes under -q: the report is computed (the exit status depends on it) but
// not shown, as with `cmp -s`.
class DiscardingBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

// A --json document was asked for by name: -q does not hide it.
bool WantsJson(const CLI::App& command) {
  const CLI::Option* json = command.get_option_no_throw("--json");
  return json != nullptr && json->count() > 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rescope::cli;
  // Under a file-size limit (ulimit -f) the kernel would kill the process with SIGXFSZ in
  // the middle of a write, leaving temporaries behind; ignored, the write fails with EFBIG
  // and the ordinary error path reports it and cleans up.
  std::signal(SIGXFSZ, SIG_IGN);
  // Ctrl-C, kill and a closed terminal remove the temporaries of an unfinished write.
  rescope::InstallInterruptCleanup();

  CLI::App app{"rescope: inspect, diff, rename and convert ML checkpoints without TensorFlow",
               "rescope"};
  app.require_subcommand(1);
  // A callback, so that the format libraries are asked for their versions only when
  // --version is given, not at every start.
  app.set_version_flag("-V,--version", [] {
    std::string text = VersionText();
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
  });
  int verbosity = 0;
  bool quiet = false;
  std::string color = "auto";
  app.add_flag("-v,--verbose", verbosity, "More diagnostics on stderr (repeat for more)");
  app.add_flag("-q,--quiet", quiet, "Only errors on stderr");
  app.add_option("--color", color, "Colour in terminal output: auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.footer(
      "\nRun `rescope help COMMAND` for a command's options and examples.\n"
      "Global flags (-q, -v, --color) may appear anywhere. See rescope(1).");

  std::vector<Command> commands = {
      AddLsCommand(app),      AddInfoCommand(app), AddShowCommand(app),  AddVerifyCommand(app),
      AddRenameCommand(app),  AddDiffCommand(app), AddCheckCommand(app), AddConvertCommand(app),
      AddRecoverCommand(app), AddHashCommand(app)};
  commands.push_back(AddMapsCommand(app));
  commands.push_back(AddCompletionsCommand(app));
  for (const Command& c : commands) c.app->footer(CommandExamples(c.app->get_name()));
  OneValuePerOccurrence(app);

  std::vector<std::string> args = HoistGlobalFlags(argc, argv);
  if (auto early = HandleHelpAndUnknownCommands(app, args)) return *early;
  std::vector<char*> parse_argv = {argv[0]};
  for (std::string& a : args) parse_argv.push_back(a.data());
  try {
    app.parse(static_cast<int>(parse_argv.size()), parse_argv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  } catch (const CLI::ParseError& e) {
    ReportParseError(app, args, e);
    return kExitError;  // CLI11 uses 100+; ours is 2 for usage errors
  }
  OutputSettings output;
  output.quiet = quiet;
  output.verbosity = verbosity;
  output.color_stdout = ColorWanted(color.c_str(), isatty(STDOUT_FILENO) == 1);
  output.stderr_is_tty = isatty(STDERR_FILENO) == 1;
  SetOutput(output);
  const spdlog::color_mode mode = ColorWanted(color.c_str(), output.stderr_is_tty)
                                      ? spdlog::color_mode::always
                                      : spdlog::color_mode::never;
  auto logger = spdlog::stderr_color_mt("rescope", mode);
  logger->set_pattern("rescope: %l: %v");
  logger->set_level(quiet            ? spdlog::level::err
                    : verbosity >= 2 ? spdlog::level::trace
                    : verbosity == 1 ? spdlog::level::debug
                                     : spdlog::level::warn);
  spdlog::set_default_logger(logger);
  // Never destroyed: cout is flushed by ios_base::Init's destructor at exit, after every
  // static constructed in main is gone (a function-local static here crashed there).
  static auto* const discard = new DiscardingBuffer;
  for (const Command& c : commands) {
    if (c.app->parsed()) {
      if (quiet && !WantsJson(*c.app)) std::cout.rdbuf(discard);
      try {
        const int code = c.run();
        // A mapped input that shrank under us was read as zeros past its new end (see
        // formats/mapping_guard.h): whatever the command concluded from it is void.
        if (rescope::Status intact = rescope::MappedFilesIntact(); !intact.ok()) {
          PrintError(intact);
          return kExitError;
        }
        return code;
      } catch (const std::exception& e) {
        PrintError(std::string("internal error: ") + e.what());
        return kExitError;
      }
    }
  }
  return kExitError;
}
