// SPDX-License-Identifier: Apache-2.0
// Shell completion scripts generated from the CLI11 parser itself, so that a new command
// or flag is completed without anyone editing a list (`rescope completions bash|zsh|fish`).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace rescope::cli {

// What a word expects, as the shells are told.
enum class CompletionValue {
  kNone,     // a flag: no value
  kFile,     // a path (checkpoints, outputs, manifests)
  kChoice,   // one of `choices` (an IsMember check in the parser)
  kTensor,   // a tensor name of the checkpoint given as the command's first argument
  kMapName,  // a shipped map's name, or a map file
  kText,     // anything (numbers, globs, rules): nothing to offer
};

struct CompletionOption {
  std::vector<std::string> spellings;  // "--filter", "-o"
  std::string help;
  CompletionValue value = CompletionValue::kNone;
  std::vector<std::string> choices;
  bool repeatable = false;
};

struct CompletionCommand {
  std::string name;
  std::string help;
  std::vector<CompletionOption> options;
  std::vector<CompletionOption> positionals;  // spellings hold the positional's name
};

struct CompletionModel {
  std::vector<CompletionOption> global_options;
  std::vector<CompletionCommand> commands;
};

// Reads subcommands, options and their checks from `app` (hidden options left out).
CompletionModel DescribeForCompletion(CLI::App& app);

std::string BashCompletionScript(const CompletionModel& model);
std::string ZshCompletionScript(const CompletionModel& model);
std::string FishCompletionScript(const CompletionModel& model);

}  // namespace rescope::cli
