// SPDX-License-Identifier: Apache-2.0
// Rule validation, inline rules and first-match application of a RenameMap; the JSON
// side of RenameMap is in rename_rules_json.cc.
#include "core/rename/rename_rules.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <utility>

#include "core/rename/name_glob.h"

namespace rescope {
namespace {

constexpr size_t kNpos = std::numeric_limits<size_t>::max();
constexpr size_t kMaxRegexLength = 1000;
constexpr size_t kMaxPermuteRank = 32;
#ifdef __GLIBCXX__
// libstdc++'s breadth-first executor: no backtracking, so a pattern like (.*)+x cannot
// take exponential time on a long name (found by the fuzzer). It keeps ECMAScript's
// capture priorities but refuses backreferences.
constexpr auto kRegexFlags = std::regex::ECMAScript | std::regex_constants::__polynomial;
#else
constexpr auto kRegexFlags = std::regex::ECMAScript;
#endif

// Strips one trailing scope separator ('/' or '.'); returns the one stripped, or 0.
char StripOneTrailingSeparator(std::string& s) {
  if (s.empty() || (s.back() != '/' && s.back() != '.')) return 0;
  const char mark = s.back();
  s.pop_back();
  return mark;
}

// Checks the $-escapes of a regex replacement template against the capture count.
Status ValidateTemplate(std::string_view to, size_t captures) {
  for (size_t i = 0; i < to.size(); ++i) {
    if (to[i] != '$') continue;
    if (i + 1 == to.size()) {
      return Status::InvalidArgument("\"to\" ends with a lone '$' (write $$ for a literal '$')");
    }
    const char c = to[++i];
    if (c == '$') continue;
    if (c < '1' || c > '9') {
      return Status::InvalidArgument(std::string("\"to\" has '$") + c +
                                     "' (expected $1..$9, or $$ for a literal '$')");
    }
    const size_t n = static_cast<size_t>(c - '0');
    if (n > captures) {
      return Status::InvalidArgument("\"to\" uses $" + std::to_string(n) + " but the regex has " +
                                     std::to_string(captures) + " capture group" +
                                     (captures == 1 ? "" : "s"));
    }
  }
  return Status::Ok();
}

// Expands a template validated by ValidateTemplate.
std::string ExpandTemplate(std::string_view to, const std::cmatch& groups) {
  std::string out;
  for (size_t i = 0; i < to.size(); ++i) {
    if (to[i] != '$' || i + 1 == to.size()) {
      out += to[i];
      continue;
    }
    const char c = to[++i];
    if (c == '$') {
      out += '$';
    } else {
      const size_t n = static_cast<size_t>(c - '0');
      if (n < groups.size() && groups[n].matched) out += groups[n].str();
    }
  }
  return out;
}

std::string RenameInScope(std::string_view scope, std::string_view to, std::string_view name,
                          char separator) {
  if (scope.empty()) {
    if (to.empty()) return std::string(name);
    return std::string(to) + separator + std::string(name);
  }
  std::string_view rest = name.substr(scope.size());  // "" or "<separator>..."
  if (to.empty()) {
    if (!rest.empty()) rest.remove_prefix(1);
    return std::string(rest);
  }
  return std::string(to) + std::string(rest);
}

Status ValidatePermute(const std::vector<int>& permute) {
  const size_t n = permute.size();
  std::string found = "[";
  for (size_t i = 0; i < n; ++i) found += (i ? "," : "") + std::to_string(permute[i]);
  found += "]";
  if (n == 0 || n > kMaxPermuteRank) {
    return Status::InvalidArgument("\"permute\" must have 1 to " + std::to_string(kMaxPermuteRank) +
                                   " entries (found " + found + ")");
  }
  std::vector<bool> seen(n, false);
  for (const int axis : permute) {
    if (axis < 0 || static_cast<size_t>(axis) >= n || seen[static_cast<size_t>(axis)]) {
      return Status::InvalidArgument("\"permute\" must list each of 0.." + std::to_string(n - 1) +
                                     " once (found " + found + ")");
    }
    seen[static_cast<size_t>(axis)] = true;
  }
  return Status::Ok();
}

Status CompileRegex(RenameRule& rule) {
  if (rule.from.size() > kMaxRegexLength) {
    return Status::InvalidArgument("regex is longer than " + std::to_string(kMaxRegexLength) +
                                   " characters (" + std::to_string(rule.from.size()) + ")");
  }
  try {
    rule.regex = std::make_shared<const std::regex>(rule.from, kRegexFlags);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("invalid regex: ") + e.what());
  }
  if (rule.drop) return Status::Ok();
  return ValidateTemplate(rule.to, rule.regex->mark_count());
}

// The literal text every name an ECMAScript `pattern` matches as a whole must start
// with: the leading plain characters (after an optional '^'), stopping at the first
// metacharacter or escape, and leaving out a character a quantifier makes optional.
// A pattern with '|' anywhere gets "" (an alternative may start differently).
std::string_view RegexLiteralPrefix(std::string_view pattern) {
  if (pattern.find('|') != std::string_view::npos) return {};
  if (pattern.starts_with('^')) pattern.remove_prefix(1);
  constexpr std::string_view kMeta = "\\^$.|?*+()[]{}";
  size_t end = 0;
  while (end < pattern.size() && kMeta.find(pattern[end]) == std::string_view::npos) ++end;
  // "ab?" or "ab*" or "ab{0}": the 'b' may be absent.
  if (end < pattern.size() && end > 0 &&
      (pattern[end] == '?' || pattern[end] == '*' || pattern[end] == '{')) {
    --end;
  }
  return pattern.substr(0, end);
}

// The characters of a glob before its first wildcard, set or escape (core/rename/name_glob.h).
std::string_view GlobLiteralPrefix(std::string_view glob) {
  return glob.substr(0, std::min(glob.find_first_of("*?[\\"), glob.size()));
}

}  // namespace

std::string RenameRule::Describe() const {
  std::string out;
  origin.AppendTo(out);
  out += " (";
  text.AppendTo(out);
  out += ')';
  return out;
}

bool ScopeContains(std::string_view scope, std::string_view name, char separator) {
  if (scope.empty()) return true;
  if (name.size() < scope.size() || name.substr(0, scope.size()) != scope) return false;
  return name.size() == scope.size() || name[scope.size()] == separator;
}

Status RenameMap::FinishRule(RenameRule& rule) {
  if (rule.drop && !rule.to.empty()) {
    return Status::InvalidArgument("a dropping rule has no new name");
  }
  if (rule.drop && rule.permute) {
    return Status::InvalidArgument("\"permute\"/\"transpose\" make no sense on a dropping rule");
  }
  if (rule.permute) RESCOPE_RETURN_IF_ERROR(ValidatePermute(*rule.permute));
  switch (rule.kind) {
    case RenameRule::Kind::kScope:
      if (const char mark = StripOneTrailingSeparator(rule.from)) rule.scope_mark = mark;
      StripOneTrailingSeparator(rule.to);
      return Status::Ok();
    case RenameRule::Kind::kName:
      if (rule.from.empty()) return Status::InvalidArgument("empty name");
      if (rule.drop) return Status::Ok();
      if (rule.to.empty()) {
        return Status::InvalidArgument("empty new name (to remove a variable, drop it)");
      }
      if (rule.to.back() == '/') {
        return Status::InvalidArgument("new name \"" + rule.to + "\" ends with '/' but \"" +
                                       rule.from +
                                       "\" is an exact name, not a scope (end both with '/')");
      }
      return Status::Ok();
    case RenameRule::Kind::kRegex:
      return CompileRegex(rule);
    case RenameRule::Kind::kGlob:
      if (rule.from.empty()) return Status::InvalidArgument("empty pattern");
      if (!rule.drop) {
        return Status::InvalidArgument("a glob rule can only drop (use a regex to rename)");
      }
      return Status::Ok();
  }
  return Status::InvalidArgument("unknown rule kind");
}

bool RenameMap::AddRule(RenameRule rule) {
  const size_t index = rules_.size();
  bool first = true;
  // The index looks keys up in rules_, so the rule goes in first.
  rules_.push_back(std::move(rule));
  const RenameRule& added = rules_.back();
  const RuleKeyIndex::KeyOf key_of = [this](size_t i) { return KeyOf(i); };
  switch (added.kind) {
    case RenameRule::Kind::kName:
      first = name_index_.Insert(added.from, index, key_of);  // keeps the first rule for a name
      break;
    case RenameRule::Kind::kScope:
      first = scope_index_.Insert(added.from, index, key_of);
      break;
    case RenameRule::Kind::kRegex:
    case RenameRule::Kind::kGlob: {
      const std::string_view prefix = added.kind == RenameRule::Kind::kRegex
                                          ? RegexLiteralPrefix(added.from)
                                          : GlobLiteralPrefix(added.from);
      auto [it, inserted] = pattern_index_.try_emplace(std::string(prefix));
      it->second.push_back(index);
      // One entry per distinct length: a length listed once per prefix made every name
      // look up (and try) the same group once per prefix of that length, so 100,000
      // regex rules with prefixes of one length cost 100,000 matches per name.
      if (inserted && std::find(pattern_prefix_lengths_.begin(), pattern_prefix_lengths_.end(),
                                prefix.size()) == pattern_prefix_lengths_.end()) {
        pattern_prefix_lengths_.push_back(prefix.size());
      }
      break;
    }
  }
  return first;
}

void RenameMap::PatternCandidates(std::string_view name, size_t limit,
                                  std::vector<size_t>* out) const {
  out->clear();
  for (const size_t length : pattern_prefix_lengths_) {
    if (length > name.size()) continue;
    const auto it = pattern_index_.find(name.substr(0, length));
    if (it == pattern_index_.end()) continue;
    for (const size_t index : it->second) {
      if (index >= limit) break;  // each group is in rule order
      out->push_back(index);
    }
  }
  std::sort(out->begin(), out->end());
}

Status RenameMap::AddInlineRule(std::string_view from_eq_to) {
  RenameRule rule;
  rule.origin = RuleOrigin("--rule #" + std::to_string(++inline_rules_));
  rule.text = RuleText(std::string(from_eq_to));
  const size_t eq = from_eq_to.find('=');
  if (eq == std::string_view::npos) {
    return Status::InvalidArgument(rule.Describe() + ": expected FROM=TO");
  }
  rule.from = std::string(from_eq_to.substr(0, eq));
  rule.to = std::string(from_eq_to.substr(eq + 1));
  if (rule.from.empty()) return Status::InvalidArgument(rule.Describe() + ": FROM is empty");
  if (rule.from.back() == '/' || rule.from.back() == '.') {
    rule.kind = RenameRule::Kind::kScope;
  } else if (rule.to.empty()) {
    return Status::InvalidArgument(rule.Describe() +
                                   ": TO is empty (use --drop to remove a variable)");
  }
  const Status st = FinishRule(rule);
  if (!st.ok()) return st.WithContext(rule.Describe());
  AddRule(std::move(rule));
  return Status::Ok();
}

Status RenameMap::AddDrop(std::string_view pattern) {
  RenameRule rule;
  rule.origin = RuleOrigin("--drop #" + std::to_string(++inline_drops_));
  rule.text = RuleText(std::string(pattern));
  rule.from = std::string(pattern);
  rule.drop = true;
  if (pattern.empty()) return Status::InvalidArgument(rule.Describe() + ": empty pattern");
  rule.kind = pattern.back() == '/' || pattern.back() == '.' ? RenameRule::Kind::kScope
                                                             : RenameRule::Kind::kGlob;
  const Status st = FinishRule(rule);
  if (!st.ok()) return st.WithContext(rule.Describe());
  AddRule(std::move(rule));
  return Status::Ok();
}

void RenameMap::Append(const RenameMap& other) {
  for (const RenameRule& rule : other.rules_) AddRule(rule);
  warnings_.insert(warnings_.end(), other.warnings_.begin(), other.warnings_.end());
  unresolved_.insert(unresolved_.end(), other.unresolved_.begin(), other.unresolved_.end());
}

void RenameMap::Append(RenameMap&& other) {
  if (rules_.empty()) {
    // other's indexes number its rules from 0, as they will be here: take them whole
    // instead of re-hashing a million names.
    rules_ = std::move(other.rules_);
    name_index_ = std::move(other.name_index_);
    scope_index_ = std::move(other.scope_index_);
    pattern_index_ = std::move(other.pattern_index_);
    pattern_prefix_lengths_ = std::move(other.pattern_prefix_lengths_);
  } else {
    rules_.reserve(rules_.size() + other.rules_.size());
    for (RenameRule& rule : other.rules_) AddRule(std::move(rule));
  }
  warnings_.insert(warnings_.end(), other.warnings_.begin(), other.warnings_.end());
  unresolved_.insert(unresolved_.end(), other.unresolved_.begin(), other.unresolved_.end());
  other = RenameMap();
}

Result<size_t> RenameMap::FindFirst(std::string_view name, char separator,
                                    std::cmatch* groups) const {
  // Exact names and scopes are looked up in the indexes; only pattern rules that come
  // before the best indexed hit need to be tried, so first-match-wins stays cheap for
  // large generated maps.
  size_t best = kNpos;
  const RuleKeyIndex::KeyOf key_of = [this](size_t i) { return KeyOf(i); };
  const auto consider = [&](const RuleKeyIndex& index, std::string_view key) {
    const size_t found = index.Find(key, key_of);
    if (found != RuleKeyIndex::kNotFound && found < best) best = found;
  };
  consider(name_index_, name);
  if (!scope_index_.empty()) {
    consider(scope_index_, std::string_view());
    for (size_t pos = name.find(separator); pos != std::string_view::npos;
         pos = name.find(separator, pos + 1)) {
      consider(scope_index_, name.substr(0, pos));
    }
    consider(scope_index_, name);
  }
  if (pattern_index_.empty()) return best;
  // Only pattern rules whose literal prefix the name starts with can match it.
  thread_local std::vector<size_t> candidates;
  PatternCandidates(name, best, &candidates);
  for (const size_t index : candidates) {
    const RenameRule& rule = rules_[index];
    bool hit = false;
    if (rule.kind == RenameRule::Kind::kGlob) {
      hit = GlobMatch(rule.from, name);
    } else {
      try {
        hit = std::regex_match(name.data(), name.data() + name.size(), *groups, *rule.regex);
      } catch (const std::exception& e) {
        return Status::InvalidArgument(rule.Describe() + ": regex failed on \"" +
                                       std::string(name) + "\": " + e.what());
      }
    }
    if (hit) return index;
  }
  return best;
}

RenameMap::Match RenameMap::Outcome(size_t index, std::string_view name, char separator,
                                    const std::cmatch& groups) const {
  const RenameRule& rule = rules_[index];
  if (rule.drop) return Match{index, true, ""};
  switch (rule.kind) {
    case RenameRule::Kind::kName:
      return Match{index, false, rule.to};
    case RenameRule::Kind::kScope:
      return Match{index, false, RenameInScope(rule.from, rule.to, name, separator)};
    case RenameRule::Kind::kRegex:
      return Match{index, false, ExpandTemplate(rule.to, groups)};
    case RenameRule::Kind::kGlob:
      break;  // FinishRule only accepts dropping globs
  }
  return Match{index, true, ""};
}

Result<std::optional<RenameMap::Match>> RenameMap::ApplyChecked(std::string_view name,
                                                                char separator) const {
  std::cmatch groups;
  RESCOPE_ASSIGN_OR_RETURN(const size_t index, FindFirst(name, separator, &groups));
  if (index == kNpos) return std::optional<Match>();
  return std::optional<Match>(Outcome(index, name, separator, groups));
}

std::optional<RenameMap::Match> RenameMap::Apply(std::string_view name, char separator) const {
  auto result = ApplyChecked(name, separator);
  if (!result.ok()) return std::nullopt;
  return std::move(result).value();
}

}  // namespace rescope
