// SPDX-License-Identifier: Apache-2.0
#include "cli/output_settings.h"

#include <cstdlib>
#include <cstring>

namespace rescope::cli {
namespace {
OutputSettings g_settings;
}  // namespace

const OutputSettings& Output() { return g_settings; }
void SetOutput(const OutputSettings& settings) { g_settings = settings; }

bool ColorWanted(const char* when, bool is_tty) {
  if (std::strcmp(when, "always") == 0) return true;
  if (std::strcmp(when, "never") == 0) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return is_tty;
}

}  // namespace rescope::cli
