// SPDX-License-Identifier: Apache-2.0
// Building the "cannot be written" message (unwritable_tensors.h).
#include "formats/unwritable_tensors.h"

#include <algorithm>

namespace rescope {

std::string ListedProblems(const std::vector<std::string>& lines, size_t limit) {
  std::string out;
  const size_t shown = std::min(lines.size(), limit);
  for (size_t i = 0; i < shown; ++i) out += "\n  " + lines[i];
  if (lines.size() > shown) out += "\n  ... and " + std::to_string(lines.size() - shown) + " more";
  return out;
}

Status UnwritableTensorsError(const std::string& path, std::string_view format_display_name,
                              const std::vector<std::string>& lines, size_t limit) {
  const size_t count = lines.size();
  return Status::NotSupported(path + ": " + std::to_string(count) +
                              (count == 1 ? " tensor" : " tensors") + " cannot be written as " +
                              std::string(format_display_name) + ":" +
                              ListedProblems(lines, limit));
}

std::string TensorProblem(std::string_view name, std::string_view why) {
  return "\"" + std::string(name) + "\": " + std::string(why);
}

}  // namespace rescope
