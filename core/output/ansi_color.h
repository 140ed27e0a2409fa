// SPDX-License-Identifier: Apache-2.0
// ANSI colours for text reports, used the way `git diff` uses them: red for what is lost or
// wrong, green for what is added or fine, yellow for what changed or needs a look.
#pragma once

#include <string>
#include <string_view>

namespace rescope {

enum class Color { kNone, kRed, kGreen, kYellow };

// `text` wrapped in the colour's escape and a reset; unchanged when !enabled or kNone.
// A trailing newline stays outside the escapes so that pagers reset before the line ends.
std::string Paint(std::string_view text, Color color, bool enabled);

}  // namespace rescope
