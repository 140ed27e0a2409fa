// SPDX-License-Identifier: Apache-2.0
#include "core/rename/rule_origin.h"

#include <charconv>
#include <iterator>
#include <utility>

namespace rescope {

RuleOrigin::RuleOrigin(std::string origin)
    : prefix_(std::make_shared<const std::string>(std::move(origin))) {}

RuleOrigin::RuleOrigin(std::shared_ptr<const std::string> prefix, size_t number)
    : prefix_(std::move(prefix)), number_(number) {}

void RuleOrigin::AppendTo(std::string& out) const {
  if (prefix_ != nullptr) out += *prefix_;
  if (number_ == 0) return;
  char digits[24];
  // 24 characters hold any size_t, so to_chars cannot fail.
  out.append(digits, std::to_chars(std::begin(digits), std::end(digits), number_).ptr);
}

std::string RuleOrigin::str() const {
  std::string out;
  AppendTo(out);
  return out;
}

RuleText::RuleText(std::string quoted)
    : text_(std::make_shared<const std::string>(std::move(quoted))) {}

RuleText::RuleText(std::shared_ptr<const std::string> document, uint32_t begin, uint32_t size,
                   bool braces)
    : text_(std::move(document)), begin_(begin), size_(size), in_document_(true), braces_(braces) {}

void RuleText::AppendTo(std::string& out) const {
  if (text_ == nullptr) return;
  if (!in_document_) {
    out += *text_;
    return;
  }
  std::string quoted;
  if (braces_) quoted += '{';
  AppendCompactJson(std::string_view(*text_).substr(begin_, size_), quoted);
  if (braces_) quoted += '}';
  CutQuotedRule(quoted);
  out += quoted;
}

std::string RuleText::str() const {
  std::string out;
  AppendTo(out);
  return out;
}

void AppendCompactJson(std::string_view span, std::string& out) {
  out.reserve(out.size() + span.size());
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t pos = 0;
  while (pos < span.size()) {
    if (span[pos] == '"') {
      // A whole string at once (memchr finds its end: strings hold no escaped quote).
      const size_t close = span.find('"', pos + 1);
      const size_t end = close == std::string_view::npos ? span.size() : close + 1;
      out.append(span, pos, end - pos);
      pos = end;
    } else if (is_space(span[pos])) {
      ++pos;  // whitespace between tokens
    } else {
      size_t end = pos + 1;  // punctuation, numbers, true/false
      while (end < span.size() && span[end] != '"' && !is_space(span[end])) ++end;
      out.append(span, pos, end - pos);
      pos = end;
    }
  }
}

void CutQuotedRule(std::string& quoted) {
  if (quoted.size() > RuleText::kMaxQuoted) {
    quoted.resize(RuleText::kMaxQuoted);
    quoted += "...";
  }
}

}  // namespace rescope
