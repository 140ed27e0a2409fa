// SPDX-License-Identifier: Apache-2.0
// RenameMap::ParseJsonFast: reads the shapes large generated maps take (a flat
// assignment_map, a "rules" list of plain rule objects) straight from the text into rules,
// with no JSON tree, no duplicate-key set beside the rule index and no re-serialising of
// each rule for its quoted text. It declines (nullopt) every document it is not sure of,
// and ParseJson then gives it to ParseJsonStrict, which words every message; so what the
// fast reader accepts, the strict reader would read to the same rules.
//
// Declined: strings with an escape, a control character or a byte outside printable
// ASCII (their quoted form could differ from the source); duplicate keys; a top-level
// "unresolved" or unknown key; numbers other than small non-negative integers; any
// rule the strict reader would report (FinishRule or ReadListRule refusing it); a text
// of 4 GiB or more; anything that is not JSON. Because every accepted string is printable
// ASCII without escapes, the compact dump the strict reader quotes in messages equals the
// source with the whitespace between tokens removed: each rule keeps where it stands in
// the text (and the text itself, shared by all its rules) and builds that quote only when
// a message needs it (core/rename/rule_origin.h).
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/rename/rename_rules.h"

namespace rescope {
namespace {

constexpr size_t kMaxAxisDigits = 9;  // any 9-digit axis fits an int

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A string character the strict reader keeps as is and dumps unchanged.
constexpr bool IsPlainStringChar(char c) { return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'; }

// IsPlainStringChar of every byte: checking a string's bytes is then a load and a test each
// (scanning strings is most of reading a 50 MB map).
constexpr std::array<bool, 256> kPlainStringBytes = [] {
  std::array<bool, 256> plain{};
  for (size_t byte = 0; byte < plain.size(); ++byte) {
    plain[byte] = IsPlainStringChar(static_cast<char>(static_cast<unsigned char>(byte)));
  }
  return plain;
}();

// A cursor over the document. Every Read* returns false where the fast reader declines.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  size_t pos() const { return pos_; }
  bool AtEnd() {
    SkipSpace();
    return pos_ == text_.size();
  }
  // Skips whitespace; true (and consumes it) if the next character is `c`.
  bool Take(char c) {
    SkipSpace();
    if (pos_ == text_.size() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  // The next character after whitespace ('\0' at the end), not consumed.
  char Peek() {
    SkipSpace();
    return pos_ == text_.size() ? '\0' : text_[pos_];
  }
  bool ReadString(std::string_view* out) {
    if (!Take('"')) return false;
    const size_t begin = pos_;
    // The closing quote (memchr), then the bytes before it: a backslash before it would
    // escape it, and the reader declines any escape.
    const size_t close = text_.find('"', begin);
    if (close == std::string_view::npos) return false;
    for (size_t i = begin; i < close; ++i) {
      if (!kPlainStringBytes[static_cast<unsigned char>(text_[i])]) return false;
    }
    *out = text_.substr(begin, close - begin);
    pos_ = close + 1;
    return true;
  }
  bool ReadBool(bool* out) {
    SkipSpace();
    if (text_.substr(pos_).starts_with("true")) {
      *out = true;
      pos_ += 4;
    } else if (text_.substr(pos_).starts_with("false")) {
      *out = false;
      pos_ += 5;
    } else {
      return false;
    }
    return pos_ == text_.size() || !IsLetter(text_[pos_]);
  }
  // A non-negative integer written the way the strict reader would dump it back.
  bool ReadAxis(int* out) {
    SkipSpace();
    const size_t begin = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    const size_t digits = pos_ - begin;
    if (digits == 0 || digits > kMaxAxisDigits || (digits > 1 && text_[begin] == '0')) {
      return false;
    }
    if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      return false;
    }
    int value = 0;
    for (size_t i = begin; i < pos_; ++i) value = value * 10 + (text_[i] - '0');
    *out = value;
    return true;
  }

 private:
  static bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  void SkipSpace() {
    while (pos_ < text_.size() && IsJsonSpace(text_[pos_])) ++pos_;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// The keys a rule object may have, as bits, so a repeated key is seen without a set.
enum RuleKey : unsigned {
  kKeyScope = 1,
  kKeyName = 2,
  kKeyRegex = 4,
  kKeyGlob = 8,
  kKeyTo = 16,
  kKeyDrop = 32,
  kKeyTranspose = 64,
  kKeyPermute = 128,
  kKeyWhy = 256,
};

std::optional<RuleKey> RuleKeyOf(std::string_view key) {
  static const std::pair<std::string_view, RuleKey> kKeys[] = {
      {"scope", kKeyScope},    {"name", kKeyName},
      {"regex", kKeyRegex},    {"glob", kKeyGlob},
      {"to", kKeyTo},          {"drop", kKeyDrop},
      {"why", kKeyWhy},        {"transpose", kKeyTranspose},
      {"permute", kKeyPermute}};
  for (const auto& [text, bit] : kKeys) {
    if (key == text) return bit;
  }
  return std::nullopt;
}

RenameRule::Kind KindOf(unsigned kind_bit) {
  switch (kind_bit) {
    case kKeyScope:
      return RenameRule::Kind::kScope;
    case kKeyRegex:
      return RenameRule::Kind::kRegex;
    case kKeyGlob:
      return RenameRule::Kind::kGlob;
    default:
      return RenameRule::Kind::kName;
  }
}

// Reads one rule object of the "rules" array with the semantics of ReadListRule; false if
// the object is anything the strict reader would refuse or word differently.
bool ReadRuleObject(Scanner& in, RenameRule* rule) {
  if (!in.Take('{')) return false;
  unsigned seen = 0;
  std::optional<bool> transpose;
  if (in.Peek() == '}') return false;  // no kind: an error
  do {
    std::string_view key;
    if (!in.ReadString(&key) || !in.Take(':')) return false;
    const std::optional<RuleKey> bit = RuleKeyOf(key);
    if (!bit || (seen & *bit) != 0) return false;  // unknown or duplicate key
    seen |= *bit;
    std::string_view text;
    switch (*bit) {
      case kKeyScope:
      case kKeyName:
      case kKeyRegex:
      case kKeyGlob:
        if (!in.ReadString(&text)) return false;
        rule->kind = KindOf(*bit);
        rule->from = std::string(text);
        break;
      case kKeyTo:
        if (!in.ReadString(&text)) return false;
        rule->to = std::string(text);
        break;
      case kKeyDrop:
        if (!in.ReadBool(&rule->drop)) return false;
        break;
      case kKeyTranspose:
        if (!in.ReadBool(&transpose.emplace())) return false;
        break;
      case kKeyWhy:
        if (!in.ReadString(&text)) return false;
        break;
      case kKeyPermute: {
        if (!in.Take('[')) return false;
        std::vector<int>& axes = rule->permute.emplace();
        if (in.Peek() != ']') {
          do {
            int axis = 0;
            if (!in.ReadAxis(&axis)) return false;
            axes.push_back(axis);
          } while (in.Take(','));
        }
        if (!in.Take(']')) return false;
        break;
      }
    }
  } while (in.Take(','));
  if (!in.Take('}')) return false;
  constexpr unsigned kKindKeys = kKeyScope | kKeyName | kKeyRegex | kKeyGlob;
  const unsigned kinds = seen & kKindKeys;
  if (kinds == 0 || (kinds & (kinds - 1)) != 0) return false;  // not exactly one kind
  const bool has_to = (seen & kKeyTo) != 0;
  if (has_to && rule->drop) return false;
  if (transpose && rule->permute) return false;
  if (transpose.value_or(false)) rule->permute = std::vector<int>{1, 0};
  return has_to || rule->drop;  // a rule with neither "to" nor "drop": true is an error
}

}  // namespace

std::optional<RenameMap> RenameMap::ParseJsonFast(std::string_view text,
                                                  std::string_view source_name) {
  return ParseJsonFastShared(std::make_shared<const std::string>(text), source_name);
}

std::optional<RenameMap> RenameMap::ParseJsonFastShared(std::shared_ptr<const std::string> document,
                                                        std::string_view source_name) {
  const std::string_view text = *document;
  // Rules quote themselves by 32-bit positions in the text (core/rename/rule_origin.h).
  if (text.size() > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  // Every rule's origin is this prefix and its number, put together when a message needs it.
  const auto origin_prefix =
      std::make_shared<const std::string>(std::string(source_name) + ": rule #");
  Scanner in(text);
  if (!in.Take('{')) return std::nullopt;
  RenameMap map;
  size_t number = 0;
  // The map's forms differ by the value of their first non-string member: try the flat
  // assignment_map, and on the first value that is not a string, the rule list.
  bool flat = true;
  if (in.Peek() != '}') {
    do {
      std::string_view key, value;
      in.Peek();  // the member starts at its key's '"'
      const size_t member_begin = in.pos();
      if (!in.ReadString(&key) || !in.Take(':')) return std::nullopt;
      if (in.Peek() != '"') {
        flat = false;
        break;
      }
      if (!in.ReadString(&value)) return std::nullopt;
      RenameRule rule;
      rule.origin = RuleOrigin(origin_prefix, ++number);
      // The strict reader quotes the member as a one-member object: {"key":"value"}.
      rule.text = RuleText(document, static_cast<uint32_t>(member_begin),
                           static_cast<uint32_t>(in.pos() - member_begin), /*braces=*/true);
      rule.kind =
          !key.empty() && key.back() == '/' ? RenameRule::Kind::kScope : RenameRule::Kind::kName;
      rule.from = std::string(key);
      rule.to = std::string(value);
      // Keys ending in '/' lose exactly that '/', so two rules share an index key only
      // when the file repeats a key: the strict reader's duplicate-key error.
      if (!FinishRule(rule).ok() || !map.AddRule(std::move(rule))) return std::nullopt;
    } while (in.Take(','));
  }
  if (flat) {
    if (!in.Take('}') || !in.AtEnd()) return std::nullopt;
    return map;
  }

  // The rule list: {"rules": [...], "description": "..."} in either order.
  map = RenameMap();
  number = 0;
  in = Scanner(text);
  in.Take('{');
  bool seen_rules = false, seen_description = false;
  do {
    std::string_view key, description;
    if (!in.ReadString(&key) || !in.Take(':')) return std::nullopt;
    if (key == "description") {
      if (seen_description || !in.ReadString(&description)) return std::nullopt;
      seen_description = true;
      continue;
    }
    if (key != "rules" || seen_rules || !in.Take('[')) return std::nullopt;
    seen_rules = true;
    if (in.Peek() == ']') {
      in.Take(']');
      continue;
    }
    do {
      in.Peek();  // the rule's quoted text starts at its '{'
      const size_t rule_begin = in.pos();
      RenameRule rule;
      if (!ReadRuleObject(in, &rule)) return std::nullopt;
      rule.origin = RuleOrigin(origin_prefix, ++number);
      rule.text = RuleText(document, static_cast<uint32_t>(rule_begin),
                           static_cast<uint32_t>(in.pos() - rule_begin), /*braces=*/false);
      if (!FinishRule(rule).ok()) return std::nullopt;
      map.AddRule(std::move(rule));  // a repeated name is allowed: the first one wins
    } while (in.Take(','));
    if (!in.Take(']')) return std::nullopt;
  } while (in.Take(','));
  if (!seen_rules || !in.Take('}') || !in.AtEnd()) return std::nullopt;
  return map;
}

}  // namespace rescope
