// SPDX-License-Identifier: Apache-2.0
#include "cli/completion_scripts.h"

#include <sstream>

namespace rescope::cli {
namespace {

// Choices of an option checked with CLI::IsMember, whose description reads "{a,b,c}".
std::vector<std::string> MemberChoices(CLI::Option* opt) {
  std::string description;
  try {
    description = opt->get_validator()->get_description();
  } catch (const CLI::OptionNotFound&) {
    return {};
  }
  if (description.size() < 2 || description.front() != '{' || description.back() != '}') return {};
  std::vector<std::string> choices;
  std::stringstream in(description.substr(1, description.size() - 2));
  for (std::string item; std::getline(in, item, ',');) choices.push_back(item);
  return choices;
}

bool TakesNumber(const CLI::Option* opt) {
  const std::string type = opt->get_type_name();
  return type.find("INT") != std::string::npos || type.find("FLOAT") != std::string::npos ||
         type.find("NUMBER") != std::string::npos;
}

// What a value of `opt` is. The names carry the meaning the parser cannot: a positional or
// option called "name" or "--filter" holds tensor names, "map" / "--map" a rename map.
CompletionValue ValueOf(CLI::Option* opt, const std::string& name,
                        std::vector<std::string>* choices) {
  if (opt->get_items_expected_max() == 0) return CompletionValue::kNone;
  *choices = MemberChoices(opt);
  if (!choices->empty()) return CompletionValue::kChoice;
  if (name == "name" || name == "--filter") return CompletionValue::kTensor;
  if (name == "map" || name == "--map") return CompletionValue::kMapName;
  if (name == "--set" || name == "--delete-key") return CompletionValue::kText;  // GGUF keys
  if (TakesNumber(opt)) return CompletionValue::kText;
  return CompletionValue::kFile;
}

CompletionOption DescribeOption(CLI::Option* opt) {
  CompletionOption o;
  for (const std::string& s : opt->get_snames()) o.spellings.push_back("-" + s);
  for (const std::string& l : opt->get_lnames()) o.spellings.push_back("--" + l);
  if (o.spellings.empty()) o.spellings.push_back(opt->get_name(true));
  o.help = opt->get_description();
  o.value =
      ValueOf(opt, opt->get_lnames().empty() ? opt->get_name(true) : "--" + opt->get_lnames()[0],
              &o.choices);
  o.repeatable = opt->get_items_expected_max() > 1 || o.value == CompletionValue::kNone;
  return o;
}

std::string Join(const std::vector<std::string>& words, const std::string& separator = " ") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

// 'text' for sh, zsh and fish alike.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> AllSpellings(const std::vector<CompletionOption>& options) {
  std::vector<std::string> all;
  for (const CompletionOption& o : options)
    all.insert(all.end(), o.spellings.begin(), o.spellings.end());
  return all;
}

std::string BashKind(const CompletionOption& o) {
  switch (o.value) {
    case CompletionValue::kNone:
      return "";
    case CompletionValue::kFile:
      return "file";
    case CompletionValue::kChoice:
      return "choice:" + Join(o.choices);
    case CompletionValue::kTensor:
      return "tensor";
    case CompletionValue::kMapName:
      return "map";
    case CompletionValue::kText:
      return "text";
  }
  return "";
}

// The helper functions every bash script shares; $_rescope_exe is the rescope on the line.
constexpr std::string_view kBashHelpers =
    R"SH(# _rescope_complete_kind KIND CUR CHECKPOINT: fills COMPREPLY with what KIND offers.
_rescope_complete_kind() {
  local IFS=$'\n'
  case $1 in
    choice:*) IFS=' ' read -r -a _rescope_choices <<<"${1#choice:}"
      COMPREPLY=($(compgen -W "${_rescope_choices[*]}" -- "$2")) ;;
    tensor) COMPREPLY=()
      [[ -n $3 ]] && COMPREPLY=($(compgen -W "$("$_rescope_exe" completions --names "$3" 2>/dev/null)" -- "$2")) ;;
    map) COMPREPLY=($(compgen -W "$("$_rescope_exe" completions --map-names 2>/dev/null)" -- "$2")
      $(compgen -f -- "$2")) ;;
    file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$2")) ;;
    *) COMPREPLY=() ;;
  esac
}

_rescope() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd="" word kind i skip=0
  local -a args=()
  _rescope_exe=${COMP_WORDS[0]}
  [[ $_rescope_exe == \~* ]] && _rescope_exe=rescope
  # The command is the first word that is neither an option nor an option's value (global
  # flags may come before it); the words after it that are neither are its arguments.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    if [[ $word == -* ]]; then
      [[ $word != *=* && -n $(_rescope_value_kind "$cmd" "$word") ]] && skip=1
      continue
    fi
    if [[ -z $cmd ]]; then cmd=$word; else args+=("$word"); fi
  done
  if ((skip)); then
    _rescope_complete_kind "$(_rescope_value_kind "$cmd" "${COMP_WORDS[COMP_CWORD - 1]}")" "$cur" "${args[0]}"
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$_rescope_global_options $(_rescope_options "$cmd")" -- "$cur"))
  elif [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "$_rescope_commands" -- "$cur"))
  else
    _rescope_complete_kind "$(_rescope_positional_kind "$cmd" ${#args[@]})" "$cur" "${args[0]}"
  fi
}

complete -F _rescope rescope
)SH";

}  // namespace

CompletionModel DescribeForCompletion(CLI::App& app) {
  CompletionModel model;
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty() || !opt->nonpositional()) continue;
    model.global_options.push_back(DescribeOption(opt));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    CompletionCommand c{sub->get_name(), sub->get_description(), {}, {}};
    for (CLI::Option* opt : sub->get_options()) {
      if (opt->get_group().empty()) continue;  // hidden
      (opt->nonpositional() ? c.options : c.positionals).push_back(DescribeOption(opt));
    }
    model.commands.push_back(std::move(c));
  }
  return model;
}

std::string BashCompletionScript(const CompletionModel& model) {
  std::ostringstream out;
  out << "# bash completion for rescope, generated by `rescope completions bash`.\n"
         "# Installed as share/bash-completion/completions/rescope; or: "
         "source <(rescope completions bash)\n\n";
  std::vector<std::string> names;
  for (const CompletionCommand& c : model.commands) names.push_back(c.name);
  out << "_rescope_commands=" << Quote(Join(names)) << "\n";
  out << "_rescope_global_options=" << Quote(Join(AllSpellings(model.global_options))) << "\n\n";
  out << "# _rescope_options CMD: the options of CMD.\n_rescope_options() {\n  case $1 in\n";
  for (const CompletionCommand& c : model.commands) {
    out << "    " << Quote(c.name) << ") echo " << Quote(Join(AllSpellings(c.options))) << " ;;\n";
  }
  out << "  esac\n}\n\n";
  out << "# _rescope_value_kind CMD OPTION: what OPTION's value is (\"\" for a flag).\n"
         "_rescope_value_kind() {\n  case \"$1 $2\" in\n";
  for (const CompletionCommand& c : model.commands) {
    for (const CompletionOption& o : c.options) {
      for (const std::string& s : o.spellings) {
        out << "    " << Quote(c.name + " " + s) << ") echo " << Quote(BashKind(o)) << " ;;\n";
      }
    }
  }
  for (const CompletionOption& o : model.global_options) {
    for (const std::string& s : o.spellings) {
      out << "    *" << Quote(" " + s) << ") echo " << Quote(BashKind(o)) << " ;;\n";
    }
  }
  out << "  esac\n}\n\n";
  out << "# _rescope_positional_kind CMD N: what CMD's argument number N (from 0) is.\n"
         "_rescope_positional_kind() {\n  case \"$1 $2\" in\n";
  for (const CompletionCommand& c : model.commands) {
    for (size_t i = 0; i < c.positionals.size(); ++i) {
      out << "    " << Quote(c.name + " " + std::to_string(i)) << ") echo "
          << Quote(BashKind(c.positionals[i])) << " ;;\n";
    }
  }
  out << "  esac\n}\n\n" << kBashHelpers;
  return out.str();
}

namespace {

// Text inside an _arguments "[...]" description: brackets would end it early.
std::string ZshDescription(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '[')
      out += '(';
    else if (c == ']')
      out += ')';
    else
      out += c;
  }
  return out;
}

std::string ZshAction(const CompletionOption& o, const std::string& label) {
  switch (o.value) {
    case CompletionValue::kNone:
      return "";
    case CompletionValue::kFile:
      return ":" + label + ":_files";
    case CompletionValue::kChoice:
      return ":" + label + ":(" + Join(o.choices) + ")";
    case CompletionValue::kTensor:
      return ":" + label + ":_rescope_tensor_names";
    case CompletionValue::kMapName:
      return ":" + label + ":_rescope_map_names";
    case CompletionValue::kText:
      return ":" + label + ": ";
  }
  return "";
}

void ZshOptionSpecs(std::ostringstream& out, const std::vector<CompletionOption>& options) {
  for (const CompletionOption& o : options) {
    for (const std::string& s : o.spellings) {
      out << " \\\n      "
          << Quote((o.repeatable ? "*" : "") + s + "[" + ZshDescription(o.help) + "]" +
                   ZshAction(o, "value"));
    }
  }
}

constexpr std::string_view kZshHelpers =
    R"SH(# The checkpoint is the command's first argument that is not an option.
_rescope_tensor_names() {
  local ckpt i
  for (( i = 2; i < CURRENT; i++ )); do
    [[ ${words[i]} == -* ]] && continue
    ckpt=${(Q)words[i]}
    break
  done
  [[ -z $ckpt ]] && return 1
  local -a names
  names=(${(f)"$(${~_rescope_exe} completions --names $ckpt 2>/dev/null)"})
  compadd -a names
}

_rescope_map_names() {
  local -a names
  names=(${(f)"$(${~_rescope_exe} completions --map-names 2>/dev/null)"})
  compadd -a names
  _files
}

)SH";

}  // namespace

std::string ZshCompletionScript(const CompletionModel& model) {
  std::ostringstream out;
  out << "#compdef rescope\n"
         "# zsh completion for rescope, generated by `rescope completions zsh`.\n"
         "# Installed as share/zsh/vendor-completions/_rescope; or: "
         "source <(rescope completions zsh)\n\n"
      << kZshHelpers;
  out << "_rescope() {\n  local _rescope_exe=${words[1]}\n"
         "  local curcontext=$curcontext state line ret=1\n  local -a commands=(";
  for (const CompletionCommand& c : model.commands) {
    out << "\n    " << Quote(c.name + ":" + c.help);
  }
  out << "\n  )\n  _arguments -C";
  ZshOptionSpecs(out, model.global_options);
  out << " \\\n      '1: :->command' '*:: :->args' && ret=0\n"
         "  case $state in\n"
         "    command) _describe -t commands 'rescope command' commands && ret=0 ;;\n"
         "    args)\n      case $words[1] in\n";
  for (const CompletionCommand& c : model.commands) {
    out << "        " << Quote(c.name) << ") _arguments";
    ZshOptionSpecs(out, model.global_options);
    ZshOptionSpecs(out, c.options);
    for (size_t i = 0; i < c.positionals.size(); ++i) {
      const CompletionOption& p = c.positionals[i];
      const std::string action = ZshAction(p, p.spellings.front());
      out << " \\\n      " << Quote(std::to_string(i + 1) + (action.empty() ? ": : " : action));
    }
    out << " && ret=0 ;;\n";
  }
  out << "      esac ;;\n  esac\n  return ret\n}\n\n"
         "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
         "  _rescope \"$@\"\nelse\n  compdef _rescope rescope\nfi\n";
  return out.str();
}

namespace {

constexpr std::string_view kFishHelpers =
    R"SH(# Words after the command name that are not options: the subcommand, then its arguments.
function __rescope_words
    for w in (commandline -opc)[2..-1]
        string match -q -- '-*' $w; or echo $w
    end
end

function __rescope_needs_command
    test (count (__rescope_words)) -eq 0
end

# __rescope_at CMD N: the word being typed is CMD's argument number N (from 0).
function __rescope_at -a cmd n
    set -l words (__rescope_words)
    test (count $words) -ge 1; and test "$words[1]" = $cmd; and test (math (count $words) - 1) -eq $n
end

function __rescope_using -a cmd
    set -l words (__rescope_words)
    test (count $words) -ge 1; and test "$words[1]" = $cmd
end

function __rescope_tensor_names
    set -l exe (commandline -opc)[1]
    set -l words (__rescope_words)
    test (count $words) -ge 2; and command $exe completions --names $words[2] 2>/dev/null
end

function __rescope_map_names
    set -l exe (commandline -opc)[1]
    command $exe completions --map-names 2>/dev/null
end

complete -c rescope -f
)SH";

void FishOption(std::ostringstream& out, const std::string& condition, const CompletionOption& o) {
  out << "complete -c rescope -n " << Quote(condition);
  for (const std::string& s : o.spellings) {
    out << (s.rfind("--", 0) == 0 ? " -l " + s.substr(2) : " -s " + s.substr(1));
  }
  switch (o.value) {
    case CompletionValue::kNone:
      break;
    case CompletionValue::kFile:
      out << " -r -F";
      break;
    case CompletionValue::kChoice:
      out << " -x -a " << Quote(Join(o.choices));
      break;
    case CompletionValue::kTensor:
      out << " -x -a '(__rescope_tensor_names)'";
      break;
    case CompletionValue::kMapName:
      out << " -r -F -a '(__rescope_map_names)'";
      break;
    case CompletionValue::kText:
      out << " -x";
      break;
  }
  out << " -d " << Quote(o.help) << "\n";
}

}  // namespace

std::string FishCompletionScript(const CompletionModel& model) {
  std::ostringstream out;
  out << "# fish completion for rescope, generated by `rescope completions fish`.\n"
         "# Installed as share/fish/vendor_completions.d/rescope.fish; or: "
         "rescope completions fish | source\n\n"
      << kFishHelpers;
  for (const CompletionOption& o : model.global_options) FishOption(out, "true", o);
  for (const CompletionCommand& c : model.commands) {
    out << "complete -c rescope -n __rescope_needs_command -a " << Quote(c.name) << " -d "
        << Quote(c.help) << "\n";
  }
  for (const CompletionCommand& c : model.commands) {
    for (const CompletionOption& o : c.options) FishOption(out, "__rescope_using " + c.name, o);
    for (size_t i = 0; i < c.positionals.size(); ++i) {
      const CompletionOption& p = c.positionals[i];
      const std::string condition = "__rescope_at " + c.name + " " + std::to_string(i);
      out << "complete -c rescope -n " << Quote(condition);
      switch (p.value) {
        case CompletionValue::kFile:
          out << " -F";
          break;
        case CompletionValue::kChoice:
          out << " -a " << Quote(Join(p.choices));
          break;
        case CompletionValue::kTensor:
          out << " -a '(__rescope_tensor_names)'";
          break;
        case CompletionValue::kMapName:
          out << " -F -a '(__rescope_map_names)'";
          break;
        default:
          break;
      }
      out << "\n";
    }
  }
  return out.str();
}

}  // namespace rescope::cli
