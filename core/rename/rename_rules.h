// SPDX-License-Identifier: Apache-2.0
// The rename-map language: rule types, parsing of inline rules and JSON map files, and
// applying an ordered rule list to one variable name.
//
// ## Rules
//
// A rename map is an ordered list of rules. Each rule matches variable names one way and
// either renames or drops what it matches:
//
//   kind    matches                                      new name
//   name    exactly the name FROM                        TO
//   scope   FROM itself and every name under FROM/       TO + the rest of the name
//   regex   names the ECMAScript regex matches whole     TO with $1..$9 replaced
//   glob    names the glob matches (drop only)           (dropped)
//
// Scopes match whole path segments only: scope `layer_a` matches `layer_a` and
// `layer_a/w`, never `layer_ab/w`. The part of the name after the scope is kept:
// `layer_a/w` under scope `layer_a` -> `enc/layer_a` becomes `enc/layer_a/w`. An empty
// target strips the scope (`x/` -> `` turns `x/w` into `w`); the empty scope (written `/`)
// matches every name, so `/` -> `enc/` puts everything under `enc/`. TF2 object-based keys
// are ordinary names here: scope `layer_with_weights-0` also matches
// `layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE`.
//
// Segments are split on the checkpoint's separator (TensorStore::separator(), passed to
// Apply): '/' for TF and Keras names, '.' for dotted formats (PyTorch, safetensors), where
// scope `fc1` matches `fc1.weight`, never `fc10.weight`. A scope may be written with a
// trailing '/' on any format, or with a trailing '.' (`fc1.`) for dotted names; the
// planner refuses a '.'-written scope on a '/'-separated checkpoint.
//
// Regex rules use std::regex ECMAScript syntax and must match the whole name (an implicit
// ^...$). In TO, `$1`..`$9` insert capture groups (empty if the group did not take part)
// and `$$` inserts a literal `$`; any other `$` use, or a `$N` beyond the pattern's
// capture count, is an error when the map is loaded. Patterns are limited to 1000
// characters. Matching does not backtrack (libstdc++'s polynomial-time executor), so
// backreferences (\1) are refused and no pattern can take exponential time.
//
// Globs: `*` matches any run of characters including `/`, `?` matches one character,
// everything else matches itself.
//
// ## Semantics
//
// For each variable the rules are tried in order and the first rule that matches decides;
// later rules are not consulted and rules do not chain (with `a`->`b` and `b`->`c`, the
// variable `a` becomes `b`). Names no rule matches pass through unchanged, except that
// the planner moves TF1 optimizer slots with their variable wherever the optimizer put
// them (`training/w/Adam`, `training/Adagrad/w/accumulator`; core/rename/optimizer_slots.h).
// Validation of a whole plan (conflicts, unmatched rules, strict mode, protected names)
// is in core/rename/rename_plan.h.
//
// ## Inline rules (command line)
//
//   --rule FROM=TO   FROM and TO split at the first '='. FROM ending in '/' (or '.', for
//                    dotted names) makes a scope
//                    rule (TO is then a scope too; its trailing separator is optional and an
//                    empty TO strips the scope); otherwise an exact-name rule, whose TO
//                    must be non-empty and must not end in '/'.
//   --drop PATTERN   PATTERN ending in '/' (or '.') drops a scope; otherwise it is a glob.
//
// ## JSON map files (--map FILE)
//
// Form 1, TF's `assignment_map`: a flat object of string pairs, in file order:
//   {"model_1/layer_a/": "model_3/layer_a/", "global_step": "step"}
// Keys ending in '/' are scopes, the others exact names (same rules as --rule FROM=TO).
//
// Form 2, a rule list (recognised by a top-level "rules" array):
//   {"rules": [
//      {"scope": "model_1/layer_a", "to": "model_3/layer_a"},
//      {"name": "global_step", "to": "step"},
//      {"regex": "^(.*)/weights$", "to": "$1/kernel"},
//      {"regex": "^optimizer/", "drop": true},
//      {"scope": "x", "drop": true}, {"name": "y", "drop": true},
//      {"glob": "*/Adam*", "drop": true},
//      {"name": "dense/kernel", "to": "fc/weight", "transpose": true, "why": "..."},
//      {"name": "conv/kernel", "to": "conv/weight", "permute": [3, 2, 0, 1]}],
//    "unresolved": [{"to": "fc2/weight", "candidates": ["dense_1/kernel"]}]}
// Each rule has exactly one of "scope", "name", "regex", "glob"; then either "to"
// (string) or "drop": true; optionally "transpose": true (= "permute": [1, 0]) or
// "permute" (a permutation of 0..n-1, n <= 32) on a renaming rule, and optionally "why"
// (a string for people, ignored: `check --suggest-map` writes its evidence there). A
// trailing '/' on a "scope" or its "to" is optional. Unknown keys are errors. The top-level
// "unresolved" array (written by a suggest-map tool for the user to review) is kept in
// unresolved(): a plan refuses the map while it has any (PlanOptions::allow_unmatched turns them
// into warnings). No other top-level keys are allowed. Duplicate keys in any object are errors.
//
// Rules carry their origin for messages: "map.json: rule #3" (1-based, file order),
// "--rule #1", "--drop #2". Load errors name the rule and quote it:
//   map.json: rule #3 ({"regex":"(("}): invalid regex: <std::regex message>
// ParseJson reports every bad rule, one per line, in one InvalidArgument status.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/rename/name_glob.h"
#include "core/rename/rule_key_index.h"
#include "core/rename/rule_origin.h"
#include "core/store/status.h"

namespace rescope {

struct RenameRule {
  enum class Kind : uint8_t { kName, kScope, kRegex, kGlob };

  // (The small fields come first: a million-rule map holds a million of these.)
  Kind kind = Kind::kName;
  bool drop = false;
  // kScope: the separator FROM was written with: '/' (every format) or '.' (dotted
  // formats only; the planner refuses it on a checkpoint whose names use '/').
  char scope_mark = '/';
  // kName: the exact name. kScope: the scope without its trailing '/' ("" = every name).
  // kRegex: the ECMAScript pattern. kGlob: the glob pattern.
  std::string from;
  // kName: the new name. kScope: the new scope without trailing '/' ("" = strip).
  // kRegex: the replacement template. Empty when drop is set.
  std::string to;
  // Axis order for the tensor's data (transpose = {1, 0}); only on renaming rules. The
  // planner validates it against each matched tensor and ApplyPlan applies it
  // (core/values/tensor_transform.h).
  std::optional<std::vector<int>> permute;
  // "map.json: rule #3", "--rule #1", "--drop #2" (core/rename/rule_origin.h: built
  // when a message needs it; .str() gives the text).
  RuleOrigin origin;
  // The rule as written: {"regex":"(("}, model_1/=model_2/, a/* (also built on demand).
  RuleText text;
  std::shared_ptr<const std::regex> regex;  // kRegex: compiled when the rule is loaded

  // "map.json: rule #3 ({"regex":"(("})", the prefix of every message about this rule.
  std::string Describe() const;
};

// True if `name` is `scope` or starts with `scope` + separator. The empty scope contains
// every name. `scope` must not carry a trailing separator.
bool ScopeContains(std::string_view scope, std::string_view name, char separator = '/');

// Glob matching of names: GlobMatch in core/rename/name_glob.h.

// An ordered list of rules plus an index for fast first-match lookup. Copyable; a copy
// shares the compiled regexes (immutable).
class RenameMap {
 public:
  // Parses a JSON map file (either form above). `source_name` (usually the path as the
  // user gave it) prefixes every message. Errors: kInvalidArgument listing every bad
  // rule, one per line; malformed JSON gives "<source>: parse error at line L, column C:
  // <what>". Unresolved entries are in unresolved().
  static Result<RenameMap> ParseJson(std::string_view text, std::string_view source_name);
  // The same for a map file's whole text, which the rules the fast reader makes keep (they
  // quote themselves from it in messages) instead of a copy.
  static Result<RenameMap> ParseJsonText(std::string text, std::string_view source_name);
  // The two readers ParseJson uses. ParseJsonFast reads the common shapes of large maps
  // (core/rename/rename_rules_fast.cc) without building a JSON tree, and declines (nullopt)
  // anything it is not sure about: escapes or non-ASCII bytes in strings, duplicate keys,
  // "unresolved", any rule the strict reader would report. ParseJsonStrict reads every
  // document and words every message; a map ParseJsonFast accepts is identical to its
  // ParseJsonStrict result (rules, origins, quoted texts, indexes).
  static std::optional<RenameMap> ParseJsonFast(std::string_view text,
                                                std::string_view source_name);
  static Result<RenameMap> ParseJsonStrict(std::string_view text, std::string_view source_name);

  // Adds "FROM=TO" from --rule; its origin is "--rule #N" (N counts this map's calls, so
  // it matches the command line even after an error). Errors (kInvalidArgument) name
  // the rule; no rule is added on error.
  Status AddInlineRule(std::string_view from_eq_to);
  // Adds a --drop PATTERN rule ("--drop #N"): a scope if it ends in '/', else a glob.
  Status AddDrop(std::string_view pattern);
  // Appends other's rules (keeping their origins) and warnings after this map's.
  void Append(const RenameMap& other);
  // The same, moving other's rules (a parsed map file becomes the command's map uncopied).
  void Append(RenameMap&& other);

  const std::vector<RenameRule>& rules() const { return rules_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The map file's "unresolved" entries, one per entry: `map.json: unresolved #1 (for
  // "fc2/weight", 2 candidates)`. The planner refuses a map that has any unless
  // unmatched rules are allowed (then they are warnings).
  const std::vector<std::string>& unresolved() const { return unresolved_; }
  bool empty() const { return rules_.empty(); }
  size_t size() const { return rules_.size(); }

  // The outcome for one name: nullopt = no rule matched (the name is unchanged).
  // new_name is empty when drop is set; it can also be empty when a rule maps the name
  // to nothing (scope `x` -> `` applied to `x` itself), which the planner rejects.
  struct Match {
    size_t rule_index;
    bool drop;
    std::string new_name;
  };
  // `separator` splits names into scope segments: '/' for TF and Keras names, '.' for
  // dotted formats (PyTorch, safetensors); TensorStore::separator() says which.
  std::optional<Match> Apply(std::string_view name, char separator = '/') const;
  // Like Apply, but reports a regex engine failure (e.g. std::regex running out of
  // resources on a pathological pattern) instead of treating it as "no match".
  Result<std::optional<Match>> ApplyChecked(std::string_view name, char separator = '/') const;

  // The rule-list form ({"rules": [...]}); ParseJson of its dump yields the same rules
  // (kind, from, to, drop, permute), with origins naming the new source. Names that are
  // not valid UTF-8 need dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).
  nlohmann::ordered_json ToJson() const;

 private:
  // ParseJsonFast over a text its rules may keep (to quote themselves from it).
  static std::optional<RenameMap> ParseJsonFastShared(std::shared_ptr<const std::string> text,
                                                      std::string_view source_name);
  // Validates and completes `rule` (normalises scopes, compiles regexes). Errors carry
  // no rule prefix; callers add rule.Describe().
  static Status FinishRule(RenameRule& rule);
  // Appends a finished rule and indexes it. Returns false if an earlier rule has the same
  // exact name (kName) or scope (kScope); the index keeps the earlier one.
  bool AddRule(RenameRule rule);
  // Index of the first rule matching `name`, or npos; fills *groups for a regex winner.
  Result<size_t> FindFirst(std::string_view name, char separator, std::cmatch* groups) const;
  Match Outcome(size_t index, std::string_view name, char separator,
                const std::cmatch& groups) const;

  std::vector<RenameRule> rules_;
  std::vector<std::string> warnings_;
  std::vector<std::string> unresolved_;
  // The key rule `index` is filed under in name_index_ or scope_index_ (its `from`).
  std::string_view KeyOf(size_t index) const { return rules_[index].from; }
  // Hashes std::string and std::string_view alike, so lookups by view copy nothing.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Pattern rules grouped by the literal text every name they match must start with
  // (LiteralPrefix in rename_rules.cc; "" when there is none), each group in rule order.
  using PatternIndex =
      std::unordered_map<std::string, std::vector<size_t>, NameHash, std::equal_to<>>;
  // Indexes of the pattern rules that may match `name`, in rule order, below `limit`.
  void PatternCandidates(std::string_view name, size_t limit, std::vector<size_t>* out) const;

  // First rule index per exact name / per scope, so a map of a million exact names
  // costs one hash lookup per variable.
  RuleKeyIndex name_index_;
  RuleKeyIndex scope_index_;
  PatternIndex pattern_index_;
  std::vector<size_t> pattern_prefix_lengths_;  // distinct key lengths of pattern_index_
  int inline_rules_ = 0;
  int inline_drops_ = 0;
};

}  // namespace rescope
