// SPDX-License-Identifier: Apache-2.0
// `rescope completions bash|zsh|fish`: prints a completion script generated from this very
// parser. Two hidden helpers serve the scripts while a user types: `--names CKPT` (tensor
// names, one a line) and `--map-names` (the shipped maps).
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/completion_scripts.h"
#include "cli/shipped_maps.h"

namespace rescope::cli {
namespace {

struct CompletionsOptions {
  std::string shell;
  std::string names_of;
  bool map_names = false;
};

int PrintTensorNames(const std::string& path) {
  OpenOptions open;
  auto ckpt = OpenOrReport(path, open);
  if (!ckpt) return kExitError;
  for (const auto& [name, entry] : ckpt->store) {
    if (IsListed(entry)) std::cout << DisplayName(name) << "\n";
  }
  return kExitOk;
}

int RunCompletions(CLI::App& root, const CompletionsOptions& o) {
  if (!o.names_of.empty()) return PrintTensorNames(o.names_of);
  if (o.map_names) {
    for (const ShippedMap& m : ListShippedMaps()) std::cout << m.name << "\n";
    return kExitOk;
  }
  if (o.shell.empty()) {
    PrintError("completions needs a shell: bash, zsh or fish");
    return kExitError;
  }
  const CompletionModel model = DescribeForCompletion(root);
  if (o.shell == "bash") std::cout << BashCompletionScript(model);
  if (o.shell == "zsh") std::cout << ZshCompletionScript(model);
  if (o.shell == "fish") std::cout << FishCompletionScript(model);
  return kExitOk;
}

}  // namespace

Command AddCompletionsCommand(CLI::App& app) {
  auto o = std::make_shared<CompletionsOptions>();
  CLI::App* sub =
      app.add_subcommand("completions", "Print a shell completion script (bash, zsh or fish)");
  sub->add_option("shell", o->shell, "Shell to complete for")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  sub->add_option("--names", o->names_of, "Tensor names of a checkpoint, one a line")->group("");
  sub->add_flag("--map-names", o->map_names, "Shipped map names, one a line")->group("");
  return {sub, [o, &app] { return RunCompletions(app, *o); }};
}

}  // namespace rescope::cli
