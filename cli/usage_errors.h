// SPDX-License-Identifier: Apache-2.0
// Usage errors worded as git and cargo word them: "did you mean" for a mistyped command or
// flag, `rescope help CMD`, every message prefixed "rescope: error:".
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rescope::cli {

// The candidate closest to `word` by edit distance when it is close enough to be a likely
// typo (at most 2 edits, and fewer than half the word's length); "" otherwise.
std::string NearestCandidate(std::string_view word, const std::vector<std::string>& candidates);

// Handles `rescope help [CMD]` (rewriting `help CMD` to `CMD --help` in `args`) and a first
// word that is not a command. Returns an exit code when the run ends here.
std::optional<int> HandleHelpAndUnknownCommands(CLI::App& app, std::vector<std::string>& args);

// Prints a CLI11 parse error as "rescope: error: ...", naming each unknown option with the
// nearest option of its command, and where to find help.
void ReportParseError(CLI::App& app, const std::vector<std::string>& args,
                      const CLI::ParseError& error);

}  // namespace rescope::cli
