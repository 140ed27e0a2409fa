// SPDX-License-Identifier: Apache-2.0
#include "core/output/ansi_color.h"

namespace rescope {

std::string Paint(std::string_view text, Color color, bool enabled) {
  if (!enabled || color == Color::kNone || text.empty()) return std::string(text);
  const char* start = color == Color::kRed     ? "\033[31m"
                      : color == Color::kGreen ? "\033[32m"
                                               : "\033[33m";
  const bool newline = text.back() == '\n';
  if (newline) text.remove_suffix(1);
  return std::string(start) + std::string(text) + "\033[0m" + (newline ? "\n" : "");
}

}  // namespace rescope
