// SPDX-License-Identifier: Apache-2.0
#include "cli/usage_errors.h"

#include <algorithm>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/global_flags.h"
#include "core/store/edit_distance.h"

namespace rescope::cli {
namespace {

std::vector<std::string> CommandNames(CLI::App& app) {
  std::vector<std::string> names;
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  return names;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Index of the first word that is not a global flag (globals were hoisted to the front).
size_t FirstCommandWord(const std::vector<std::string>& args) {
  size_t i = 0;
  while (i < args.size() && IsGlobalFlag(args[i])) ++i;
  return i;
}

// Every spelling of the options of `sub` and of the global ones: "--values", "-o".
std::vector<std::string> OptionSpellings(CLI::App& app, CLI::App* sub) {
  std::vector<std::string> spellings;
  for (CLI::App* owner : {&app, sub}) {
    if (owner == nullptr) continue;
    for (const CLI::Option* opt : owner->get_options()) {
      for (const std::string& l : opt->get_lnames()) spellings.push_back("--" + l);
      for (const std::string& s : opt->get_snames()) spellings.push_back("-" + s);
    }
  }
  return spellings;
}

}  // namespace

std::string NearestCandidate(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = 3;  // at most 2 edits
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(word, c, best_distance);
    if (d < best_distance && 2 * d < word.size()) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::optional<int> HandleHelpAndUnknownCommands(CLI::App& app, std::vector<std::string>& args) {
  const size_t i = FirstCommandWord(args);
  if (i >= args.size()) return std::nullopt;  // CLI11 reports the missing command
  const std::string word = args[i];
  const std::vector<std::string> commands = CommandNames(app);
  auto is_command = [&](const std::string& w) {
    return std::find(commands.begin(), commands.end(), w) != commands.end();
  };
  auto unknown = [&](const std::string& w) {
    std::string message = "'" + w + "' is not a rescope command";
    const std::string near = NearestCandidate(w, commands);
    if (!near.empty()) message += "; did you mean '" + near + "'?";
    PrintError(message);
    std::cerr << "rescope: commands: " << JoinNames(commands) << " (rescope help CMD)\n";
    return 2;
  };
  if (word == "help") {
    if (i + 1 >= args.size()) {
      std::cout << app.help();
      return 0;
    }
    const std::string name = args[i + 1];
    if (!is_command(name)) return unknown(name);
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
    args.push_back(name);
    args.push_back("--help");
    return std::nullopt;
  }
  if (word.empty() || word[0] == '-' || is_command(word)) return std::nullopt;
  return unknown(word);
}

void ReportParseError(CLI::App& app, const std::vector<std::string>& args,
                      const CLI::ParseError& error) {
  const size_t i = FirstCommandWord(args);
  CLI::App* sub = nullptr;
  if (i < args.size()) {
    for (CLI::App* s : app.get_subcommands([](CLI::App*) { return true; })) {
      if (s->get_name() == args[i]) sub = s;
    }
  }
  bool named_one = false;
  if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr) {
    const std::vector<std::string> spellings = OptionSpellings(app, sub);
    for (size_t k = i + 1; k < args.size(); ++k) {
      const std::string& token = args[k];
      if (token == "--") break;
      if (token.size() < 2 || token[0] != '-') continue;
      const std::string name = token.substr(0, token.find('='));
      if (std::find(spellings.begin(), spellings.end(), name) != spellings.end()) continue;
      std::string message = "unknown option '" + name + "'";
      if (sub != nullptr) message += " for '" + sub->get_name() + "'";
      const std::string near = NearestCandidate(name, spellings);
      if (!near.empty()) message += "; did you mean '" + near + "'?";
      PrintError(message);
      named_one = true;
    }
  }
  if (!named_one) {
    std::string message = error.what();
    if (sub == nullptr && i >= args.size()) message = "a command is required";
    PrintError(message);
  }
  std::cerr << "rescope: see 'rescope help" << (sub != nullptr ? " " + sub->get_name() : "")
            << "'\n";
}

}  // namespace rescope::cli
