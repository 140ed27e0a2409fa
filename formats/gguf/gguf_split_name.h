// SPDX-License-Identifier: Apache-2.0
// llama.cpp's names for the parts of a GGUF split set: `<prefix>-00001-of-00003.gguf`
// (printf "%s-%05d-of-%05d.gguf", 1-based part number), shared by the reader (which finds
// the other parts from any one) and the writer (which writes a set when the output is
// named like a part).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace rescope::gguf {

struct SplitName {
  std::string prefix;   // everything before "-NNNNN-of-NNNNN.gguf", directory included
  uint64_t number = 0;  // 1-based
  uint64_t count = 0;
};

// The prefix, part number and part count `path` names, or nullopt when it does not end in
// "-NNNNN-of-NNNNN.gguf" (exactly five digits each, as llama.cpp writes and looks for).
std::optional<SplitName> ParseSplitName(const std::string& path);

// `<prefix>-<number>-of-<count>.gguf`, five digits each (more when a number needs them).
std::string SplitPartPath(const std::string& prefix, uint64_t number, uint64_t count);

}  // namespace rescope::gguf
