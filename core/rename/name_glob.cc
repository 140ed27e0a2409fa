// SPDX-License-Identifier: Apache-2.0
// Iterative glob matcher with single-star backtracking (linear memory, no recursion).
#include "core/rename/name_glob.h"

namespace rescope {
namespace {

// Matches one pattern element at p against c; sets *next to the element's end.
// Returns false for no match. A malformed '[' (no closing ']') is a literal '['.
bool MatchOne(std::string_view pat, size_t p, char c, size_t* next) {
  if (pat[p] == '?') {
    *next = p + 1;
    return true;
  }
  if (pat[p] == '\\' && p + 1 < pat.size()) {
    *next = p + 2;
    return pat[p + 1] == c;
  }
  if (pat[p] == '[') {
    size_t q = p + 1;
    const bool negate = q < pat.size() && (pat[q] == '!' || pat[q] == '^');
    if (negate) ++q;
    bool matched = false;
    const size_t first = q;
    while (q < pat.size() && (pat[q] != ']' || q == first)) {
      if (q + 2 < pat.size() && pat[q + 1] == '-' && pat[q + 2] != ']') {
        matched = matched || (pat[q] <= c && c <= pat[q + 2]);
        q += 3;
      } else {
        matched = matched || pat[q] == c;
        ++q;
      }
    }
    if (q < pat.size()) {
      *next = q + 1;
      return matched != negate;
    }
  }
  *next = p + 1;
  return pat[p] == c;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0;
  size_t star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    size_t next = 0;
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_n = n;
    } else if (p < pattern.size() && MatchOne(pattern, p, name[n], &next)) {
      p = next;
      ++n;
    } else if (star_p != std::string_view::npos) {
      p = star_p;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool GlobMatchAny(const std::vector<std::string>& patterns, std::string_view name) {
  for (const std::string& p : patterns) {
    if (GlobMatch(p, name)) return true;
  }
  return false;
}

}  // namespace rescope
