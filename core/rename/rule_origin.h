// SPDX-License-Identifier: Apache-2.0
// Where a rename rule came from ("map.json: rule #3", "--rule #1") and how it was written
// ({"regex":"(("}), the two parts of every message about a rule.
//
// Messages are rare and maps can hold a million rules, so a rule read from a map file
// keeps only what these texts are made of, shared with the other rules of its file: the
// origin is the file's "map.json: rule #" and the rule's number; the quoted text is where
// the rule stands in the file's text, which the rules keep alive. The texts are built
// when a message asks for them (str()), the same bytes as if they had been built when the
// rule was read. Rules from the command line, or read by the strict reader, hold their
// texts ready-made.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rescope {

class RuleOrigin {
 public:
  RuleOrigin() = default;
  // A ready-made origin: "--rule #1".
  explicit RuleOrigin(std::string origin);
  // `prefix` + `number`: prefix "map.json: rule #" (shared by a file's rules), number 3.
  RuleOrigin(std::shared_ptr<const std::string> prefix, size_t number);

  std::string str() const;
  void AppendTo(std::string& out) const;
  friend bool operator==(const RuleOrigin& origin, std::string_view text) {
    return origin.str() == text;
  }

 private:
  std::shared_ptr<const std::string> prefix_;  // the whole origin when number_ is 0
  size_t number_ = 0;
};

class RuleText {
 public:
  // A quoted rule longer than this is cut and ends in "..." (as in every message).
  static constexpr size_t kMaxQuoted = 200;

  RuleText() = default;
  // A ready-made quoted text (already cut).
  explicit RuleText(std::string quoted);
  // The compact form of (*document)[begin, begin + size): a JSON span whose strings are
  // printable ASCII without escapes, quoted as the span without the whitespace between its
  // tokens, wrapped in braces when `braces` is set (a member of an assignment_map is quoted
  // as a one-member object), then cut like every quoted rule. The document is under 4 GiB
  // (32-bit positions keep a rule small; the fast reader leaves larger maps to the strict one).
  RuleText(std::shared_ptr<const std::string> document, uint32_t begin, uint32_t size, bool braces);

  std::string str() const;
  void AppendTo(std::string& out) const;
  friend bool operator==(const RuleText& text, std::string_view quoted) {
    return text.str() == quoted;
  }

 private:
  std::shared_ptr<const std::string> text_;  // the quoted text, or the document it is in
  uint32_t begin_ = 0;
  uint32_t size_ = 0;
  bool in_document_ = false;
  bool braces_ = false;
};

// The compact form of a JSON span whose strings hold no escape (so no '"' inside them):
// the span without the whitespace outside its strings.
void AppendCompactJson(std::string_view span, std::string& out);

// Cuts a quoted rule to RuleText::kMaxQuoted characters followed by "...", if longer.
void CutQuotedRule(std::string& quoted);

}  // namespace rescope
