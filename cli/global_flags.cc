// SPDX-License-Identifier: Apache-2.0
#include "cli/global_flags.h"

#include <algorithm>

namespace rescope::cli {

bool IsGlobalFlag(const std::string& token) {
  if (token == "-q" || token == "--quiet" || token == "--verbose") return true;
  if (token.size() >= 2 && token[0] == '-' && token[1] == 'v' &&
      std::all_of(token.begin() + 1, token.end(), [](char c) { return c == 'v'; })) {
    return true;  // -v, -vv, -vvv
  }
  return token.rfind("--color=", 0) == 0;
}

std::vector<std::string> HoistGlobalFlags(int argc, const char* const* argv) {
  std::vector<std::string> globals;
  std::vector<std::string> rest;
  bool after_double_dash = false;
  for (int i = 1; i < argc; ++i) {
    const std::string token = argv[i];
    if (after_double_dash) {
      rest.push_back(token);
      continue;
    }
    if (token == "--") {
      after_double_dash = true;
      rest.push_back(token);
      continue;
    }
    if (token == "--color" && i + 1 < argc) {  // "--color WHEN"
      globals.push_back(token + "=" + argv[++i]);
      continue;
    }
    if (IsGlobalFlag(token)) {
      globals.push_back(token);
      continue;
    }
    rest.push_back(token);
  }
  globals.insert(globals.end(), rest.begin(), rest.end());
  return globals;
}

}  // namespace rescope::cli
