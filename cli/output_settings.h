// SPDX-License-Identifier: Apache-2.0
// What the global flags (-q, -v, --color) and the terminal decide about output, set once
// by main() before a command runs and read by the renderers.
#pragma once

namespace rescope::cli {

struct OutputSettings {
  bool quiet = false;         // -q: exit status only; errors still go to stderr
  int verbosity = 0;          // -v count
  bool color_stdout = false;  // ANSI colour in the report on stdout
  bool stderr_is_tty = false;
};

const OutputSettings& Output();
void SetOutput(const OutputSettings& settings);

// --color=WHEN for a stream: "always" colours, "never" does not, "auto" colours a terminal
// unless NO_COLOR is set to a non-empty value (no-color.org).
bool ColorWanted(const char* when, bool is_tty);

}  // namespace rescope::cli
