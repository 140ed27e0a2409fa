// SPDX-License-Identifier: Apache-2.0
#include "core/rename/rule_origin.h"

#include <algorithm>
#include <utility>

namespace rescope {

RuleOrigin::RuleOrigin(std::string origin)
    : prefix_(std::make_shared<const std::string>(std::move(origin))) {}

RuleOrigin::RuleOrigin(std::shared_ptr<const std::string> prefix, size_t number)
    : prefix_(std::move(prefix)), number_(number) {}

void RuleOrigin::AppendTo(std::string& out) const {
  if (prefix_ != nullptr) out += *prefix_;
  if (number_ != 0) out += std::to_string(number_);
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
  // Copied a run at a time: up to the next quote or space, then a whole string.
  size_t pos = 0;
  while (pos < span.size()) {
    const size_t stop = std::min(span.find_first_of("\" \t\n\r", pos), span.size());
    out.append(span, pos, stop - pos);
    if (stop == span.size()) break;
    if (span[stop] != '"') {
      pos = stop + 1;  // whitespace between tokens
      continue;
    }
    const size_t close = span.find('"', stop + 1);  // strings hold no escaped quote
    const size_t end = close == std::string_view::npos ? span.size() : close + 1;
    out.append(span, stop, end - stop);
    pos = end;
  }
}

void CutQuotedRule(std::string& quoted) {
  if (quoted.size() > RuleText::kMaxQuoted) {
    quoted.resize(RuleText::kMaxQuoted);
    quoted += "...";
  }
}

}  // namespace rescope
