// SPDX-License-Identifier: Apache-2.0
// Shell-style glob matching of tensor names, used by diff filters and check's
// --allow-missing / --ignore-unused lists.
//
// Syntax: '*' any run of characters, including '/' (so "layer1/*" matches everything
// under layer1); '?' one character; "[abc]", "[a-z]", "[!abc]" one character from (not
// from) a set; '\' makes the next character literal. The whole name must match.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rescope {

bool GlobMatch(std::string_view pattern, std::string_view name);

// True when any pattern matches (false for an empty list).
bool GlobMatchAny(const std::vector<std::string>& patterns, std::string_view name);

}  // namespace rescope
