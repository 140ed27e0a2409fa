// SPDX-License-Identifier: Apache-2.0
// Split-set part names (gguf_split_name.h).
#include "formats/gguf/gguf_split_name.h"

#include <cstdio>
#include <regex>

namespace rescope::gguf {

std::optional<SplitName> ParseSplitName(const std::string& path) {
  static const std::regex kSplitName(R"((.*)-(\d{5})-of-(\d{5})\.gguf)");
  std::smatch m;
  if (!std::regex_match(path, m, kSplitName)) return std::nullopt;
  return SplitName{m[1].str(), std::stoull(m[2].str()), std::stoull(m[3].str())};
}

std::string SplitPartPath(const std::string& prefix, uint64_t number, uint64_t count) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "-%05llu-of-%05llu.gguf", static_cast<unsigned long long>(number),
                static_cast<unsigned long long>(count));
  return prefix + buf;
}

}  // namespace rescope::gguf
